//! The demo store's FAQ: 40 answers over 16 intents, each with topic
//! phrases from which paraphrased questions are built. Invented for
//! shopmind; no text is taken from a real shop.

/// One FAQ answer with the phrases its questions are built from.
pub struct FaqSeed {
    /// Intent label.
    pub intent: &'static str,
    /// Topic phrases completing "How do I …?" style questions.
    pub topics: &'static [&'static str],
    /// The answer.
    pub answer: &'static str,
}

/// Intents the assistant acts on rather than answers from the FAQ, with
/// message templates; `{p}` is a product noun of the demo catalog.
pub const ACTION_INTENTS: [(&str, &[&str]); 4] = [
    (
        "product_search",
        &[
            "Do you have {p}?",
            "I am looking for {p}",
            "Show me your {p}",
            "Do you sell {p}?",
            "Are there any {p} in stock?",
            "I need new {p}",
        ],
    ),
    (
        "product_price",
        &[
            "How much is the {p}?",
            "What is the price of the {p}?",
            "How much do your {p} cost?",
            "Price of {p}?",
            "What do {p} cost here?",
            "Are your {p} expensive?",
        ],
    ),
    (
        "recommendation",
        &[
            "What would you recommend for me?",
            "Any suggestions for me?",
            "Recommend me something",
            "What should I buy next?",
            "Show me something I might like",
            "What is popular right now?",
            "Can you suggest a gift?",
            "What do you recommend?",
            "Give me some recommendations",
            "What else would I like?",
            "Pick something for me",
            "I need ideas for what to buy",
        ],
    ),
    (
        "greeting",
        &[
            "Hi",
            "Hello",
            "Hello there",
            "Good morning",
            "Good evening",
            "Hey",
            "Thanks",
            "Thank you",
            "Thank you so much",
            "Hi, anyone there?",
            "Thanks for your help",
            "Bye",
        ],
    ),
];

/// Question templates; `{t}` is a topic phrase.
pub const QUESTION_TEMPLATES: [&str; 6] = [
    "How do I {t}?",
    "Can I {t}?",
    "What is the way to {t}?",
    "I want to {t}, what should I do?",
    "Is it possible to {t}?",
    "Please help me {t}.",
];

/// The demo FAQ: 40 answers over 15 intents.
pub const FAQ: [FaqSeed; 40] = [
    FaqSeed {
        intent: "order_status",
        topics: &["check the status of my order", "find out where my order is"],
        answer: "Sign in and open Orders: each order shows its current status (paid, shipped, delivered) and, once shipped, a tracking link.",
    },
    FaqSeed {
        intent: "order_status",
        topics: &[
            "know why my order is still pending",
            "see why my order has not shipped",
        ],
        answer: "Orders stay pending until payment clears, usually within an hour. If an order is pending for more than a day, contact us with the order number.",
    },
    FaqSeed {
        intent: "order_status",
        topics: &[
            "get an order confirmation email again",
            "resend my order confirmation",
        ],
        answer: "Open Orders in your account and choose Resend confirmation; check your spam folder if it does not arrive within a few minutes.",
    },
    FaqSeed {
        intent: "track_package",
        topics: &["track my package", "follow my delivery"],
        answer: "Once your order ships we email a tracking number; the link in that email and in Orders shows the carrier's latest scan.",
    },
    FaqSeed {
        intent: "track_package",
        topics: &[
            "find my tracking number",
            "get the tracking code for my parcel",
        ],
        answer: "The tracking number is in the shipping confirmation email and on the order's page under Orders.",
    },
    FaqSeed {
        intent: "track_package",
        topics: &[
            "report a package marked delivered but not received",
            "find a parcel that says delivered but never arrived",
        ],
        answer: "Check with neighbours and your building's mailroom first; if it is still missing after 48 hours, contact us and we will open a claim with the carrier.",
    },
    FaqSeed {
        intent: "returns",
        topics: &["return an item", "send something back"],
        answer: "You can return unused items within 30 days of delivery. Start a return from Orders, print the prepaid label and drop the parcel at any carrier point.",
    },
    FaqSeed {
        intent: "returns",
        topics: &["return a gift", "send back an item I received as a gift"],
        answer: "Gifts can be returned within 30 days with the order number from the gift receipt; the refund goes to a store credit in the recipient's name.",
    },
    FaqSeed {
        intent: "returns",
        topics: &[
            "return a sale item",
            "send back something I bought on promotion",
        ],
        answer: "Sale items follow the same 30-day return policy, except final-sale items, which are marked as such on the product page.",
    },
    FaqSeed {
        intent: "refunds",
        topics: &["get my refund", "know when I will be refunded"],
        answer: "Refunds are issued to the original payment method within 5 business days after we receive your return.",
    },
    FaqSeed {
        intent: "refunds",
        topics: &[
            "get a refund for a damaged item",
            "be refunded for a broken product",
        ],
        answer: "Send us a photo of the damage within 7 days of delivery and we will refund or replace the item at no cost, without asking you to return it.",
    },
    FaqSeed {
        intent: "refunds",
        topics: &[
            "understand a partial refund",
            "know why I got only part of my money back",
        ],
        answer: "A partial refund happens when only some items of an order were returned, or when original shipping fees are not refundable.",
    },
    FaqSeed {
        intent: "exchange",
        topics: &[
            "exchange an item for another size",
            "swap my item for a different size",
        ],
        answer: "Start a return and choose Exchange: we ship the new size as soon as the carrier scans your parcel, with free shipping both ways.",
    },
    FaqSeed {
        intent: "exchange",
        topics: &[
            "exchange an item for another color",
            "swap a product for a different colour",
        ],
        answer: "Colour exchanges work like size exchanges: choose Exchange when you start the return and pick the colour you want.",
    },
    FaqSeed {
        intent: "shipping_time",
        topics: &[
            "know how long delivery takes",
            "find out when my order will arrive",
        ],
        answer: "Standard delivery takes 3 to 5 business days; express delivery arrives in 1 to 2 business days when ordered before 2 pm.",
    },
    FaqSeed {
        intent: "shipping_time",
        topics: &["get my order faster", "upgrade to express shipping"],
        answer: "Choose Express at checkout. An order that has not shipped yet can be upgraded by contacting support.",
    },
    FaqSeed {
        intent: "shipping_time",
        topics: &[
            "know if you deliver on weekends",
            "get a delivery on Saturday",
        ],
        answer: "Our carriers deliver Monday to Saturday; Saturday delivery is available for express orders in most areas.",
    },
    FaqSeed {
        intent: "shipping_cost",
        topics: &["know how much shipping costs", "find the delivery fee"],
        answer: "Standard shipping costs 4.95 and is free on orders over 50; express shipping costs 9.95.",
    },
    FaqSeed {
        intent: "shipping_cost",
        topics: &["get free shipping", "avoid paying for delivery"],
        answer: "Orders over 50 ship free with standard delivery; members get free express shipping on every order.",
    },
    FaqSeed {
        intent: "international_shipping",
        topics: &["ship my order abroad", "get delivery to another country"],
        answer: "We ship to 30 countries. Rates and delivery times appear at checkout once you enter your address.",
    },
    FaqSeed {
        intent: "international_shipping",
        topics: &[
            "know about customs fees",
            "understand import duties on my order",
        ],
        answer: "Orders outside the customs union may incur import duties, collected by the carrier on delivery; they are not included in our prices.",
    },
    FaqSeed {
        intent: "payment_methods",
        topics: &["pay with a credit card", "know which cards you accept"],
        answer: "We accept Visa, Mastercard and American Express, plus PayPal and Apple Pay.",
    },
    FaqSeed {
        intent: "payment_methods",
        topics: &["pay in instalments", "split my payment"],
        answer: "At checkout choose Pay later to split orders over 100 into three interest-free payments.",
    },
    FaqSeed {
        intent: "payment_methods",
        topics: &["fix a declined payment", "know why my card was refused"],
        answer: "Check the card number, expiry date and billing address; if it is still declined, your bank may have blocked the payment and can approve it.",
    },
    FaqSeed {
        intent: "cancel_order",
        topics: &["cancel my order", "stop an order I just placed"],
        answer: "Orders can be cancelled from Orders until they ship, usually within 2 hours of purchase. After that, return the items instead.",
    },
    FaqSeed {
        intent: "cancel_order",
        topics: &[
            "change the items in my order",
            "add something to an order I placed",
        ],
        answer: "Placed orders cannot be edited; cancel the order while it is still pending and place a new one.",
    },
    FaqSeed {
        intent: "sizing",
        topics: &["find my size", "choose the right size"],
        answer: "Each clothing and shoe page has a size guide with body measurements; if you are between sizes, choose the larger one.",
    },
    FaqSeed {
        intent: "sizing",
        topics: &[
            "know if the shoes run small",
            "find out whether the sneakers fit true to size",
        ],
        answer: "Our shoes fit true to size unless the product page says otherwise; reviews often mention fit as well.",
    },
    FaqSeed {
        intent: "warranty",
        topics: &["claim the warranty", "get a faulty product repaired"],
        answer: "Electronics carry a 2-year warranty. Contact us with the order number and a description of the fault, and we will arrange a repair or replacement.",
    },
    FaqSeed {
        intent: "warranty",
        topics: &[
            "know how long the warranty lasts",
            "find the guarantee period",
        ],
        answer: "Electronics have a 2-year warranty and everything else a 1-year warranty against manufacturing defects.",
    },
    FaqSeed {
        intent: "contact_support",
        topics: &["talk to a person", "reach customer service"],
        answer: "Chat with us from 8 am to 8 pm every day, or email support and we will answer within 24 hours.",
    },
    FaqSeed {
        intent: "contact_support",
        topics: &["call you by phone", "find your phone number"],
        answer: "Our phone line is open on weekdays from 9 am to 6 pm; the number is on the Contact page.",
    },
    FaqSeed {
        intent: "discount_codes",
        topics: &["use a discount code", "apply a promo code"],
        answer: "Enter the code in the Promo code box at checkout; one code applies per order.",
    },
    FaqSeed {
        intent: "discount_codes",
        topics: &[
            "fix a promo code that does not work",
            "know why my coupon is rejected",
        ],
        answer: "Codes expire and some exclude sale items or need a minimum order value; the checkout message tells you which rule applies.",
    },
    FaqSeed {
        intent: "account",
        topics: &["reset my password", "recover my account"],
        answer: "Choose Forgot password on the sign-in page and follow the link we email you; it is valid for one hour.",
    },
    FaqSeed {
        intent: "account",
        topics: &["delete my account", "remove my personal data"],
        answer: "Ask for deletion under Account > Privacy; we remove your personal data within 30 days, except what the law requires us to keep.",
    },
    FaqSeed {
        intent: "account",
        topics: &["change my email address", "update my account details"],
        answer: "Edit your email, address and phone number under Account > Details; a new email must be confirmed from the message we send.",
    },
    FaqSeed {
        intent: "product_availability",
        topics: &[
            "know when an item is back in stock",
            "get notified about a restock",
        ],
        answer: "Choose Notify me on a sold-out product page and we will email you as soon as it is back.",
    },
    FaqSeed {
        intent: "product_availability",
        topics: &[
            "buy an item that is sold out",
            "order something out of stock",
        ],
        answer: "Sold-out items cannot be ordered, but most come back within 3 weeks; sign up for a restock alert on the product page.",
    },
    FaqSeed {
        intent: "product_availability",
        topics: &[
            "check if a product is available in store",
            "find an item in a shop near me",
        ],
        answer: "Product pages show stock in each of our stores; choose Check stores and enter your postcode.",
    },
];
