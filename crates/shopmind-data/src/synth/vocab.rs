//! Word lists for the synthetic catalog and FAQ: per-category nouns in English
//! and Chinese, shared adjectives, colors, materials and sentence templates.
//! Invented for shopmind; no text is taken from a real shop.

/// One product category with its vocabulary.
pub struct Category {
    /// English path, `Department > Category`.
    pub path: &'static str,
    /// Chinese path.
    pub path_zh: &'static str,
    /// Typical price of an item of this category, in the shop's currency.
    pub base_price: f64,
    /// Product nouns (English).
    pub nouns: &'static [&'static str],
    /// Product nouns (Chinese).
    pub nouns_zh: &'static [&'static str],
    /// What the products are used for (English), for descriptions.
    pub uses: &'static [&'static str],
    /// Brands that sell this category.
    pub brands: &'static [&'static str],
}

/// The twenty categories of the demo store.
pub const CATEGORIES: [Category; 20] = [
    Category {
        path: "Clothing > Tops",
        path_zh: "服装 > 上衣",
        base_price: 25.0,
        nouns: &["t-shirt", "blouse", "polo shirt", "tank top", "henley"],
        nouns_zh: &["T恤", "衬衫", "POLO衫", "背心"],
        uses: &["everyday wear", "warm afternoons", "layering"],
        brands: &["Northwind", "Maple & Co", "Urbanline"],
    },
    Category {
        path: "Clothing > Outerwear",
        path_zh: "服装 > 外套",
        base_price: 90.0,
        nouns: &["jacket", "parka", "raincoat", "windbreaker", "fleece"],
        nouns_zh: &["夹克", "派克大衣", "雨衣", "风衣"],
        uses: &["cold mornings", "rainy commutes", "hiking trips"],
        brands: &["Northwind", "Summitcraft", "Urbanline"],
    },
    Category {
        path: "Clothing > Trousers",
        path_zh: "服装 > 裤装",
        base_price: 45.0,
        nouns: &["jeans", "chinos", "joggers", "cargo pants", "shorts"],
        nouns_zh: &["牛仔裤", "休闲裤", "运动裤", "短裤"],
        uses: &["the office", "weekends", "travel"],
        brands: &["Maple & Co", "Denimworks", "Urbanline"],
    },
    Category {
        path: "Shoes > Sneakers",
        path_zh: "鞋类 > 运动鞋",
        base_price: 70.0,
        nouns: &["sneakers", "running shoes", "trainers", "court shoes"],
        nouns_zh: &["运动鞋", "跑鞋", "训练鞋", "板鞋"],
        uses: &["running", "the gym", "city walks"],
        brands: &["Stridewell", "Summitcraft", "Pacelab"],
    },
    Category {
        path: "Shoes > Boots",
        path_zh: "鞋类 > 靴子",
        base_price: 110.0,
        nouns: &["boots", "chelsea boots", "hiking boots", "snow boots"],
        nouns_zh: &["靴子", "切尔西靴", "登山靴", "雪地靴"],
        uses: &["winter", "trails", "wet streets"],
        brands: &["Stridewell", "Summitcraft", "Ironhide"],
    },
    Category {
        path: "Home > Kitchen",
        path_zh: "家居 > 厨房",
        base_price: 30.0,
        nouns: &[
            "frying pan",
            "knife set",
            "cutting board",
            "saucepan",
            "mixing bowl",
        ],
        nouns_zh: &["煎锅", "刀具套装", "砧板", "汤锅"],
        uses: &["weeknight dinners", "baking", "meal prep"],
        brands: &["Hearthstone", "Copperleaf", "Kitchenry"],
    },
    Category {
        path: "Home > Bedding",
        path_zh: "家居 > 床品",
        base_price: 55.0,
        nouns: &["duvet cover", "pillow", "sheet set", "throw blanket"],
        nouns_zh: &["被套", "枕头", "床单套装", "毛毯"],
        uses: &["restful sleep", "guest rooms", "cold nights"],
        brands: &["Softnest", "Hearthstone", "Linenly"],
    },
    Category {
        path: "Home > Decor",
        path_zh: "家居 > 装饰",
        base_price: 20.0,
        nouns: &[
            "candle holder",
            "picture frame",
            "vase",
            "wall clock",
            "cushion",
        ],
        nouns_zh: &["烛台", "相框", "花瓶", "挂钟"],
        uses: &["living rooms", "gifts", "the holidays"],
        brands: &["Linenly", "Copperleaf", "Nordhaus"],
    },
    Category {
        path: "Electronics > Audio",
        path_zh: "电子产品 > 音频",
        base_price: 80.0,
        nouns: &["headphones", "earbuds", "bluetooth speaker", "soundbar"],
        nouns_zh: &["头戴耳机", "无线耳机", "蓝牙音箱", "回音壁"],
        uses: &["music on the go", "calls", "movie nights"],
        brands: &["Voltix", "Sonance", "Pacelab"],
    },
    Category {
        path: "Electronics > Accessories",
        path_zh: "电子产品 > 配件",
        base_price: 18.0,
        nouns: &[
            "phone case",
            "charging cable",
            "power bank",
            "laptop sleeve",
        ],
        nouns_zh: &["手机壳", "充电线", "充电宝", "电脑包"],
        uses: &["travel", "the desk", "daily carry"],
        brands: &["Voltix", "Cablecraft", "Urbanline"],
    },
    Category {
        path: "Beauty > Skincare",
        path_zh: "美妆 > 护肤",
        base_price: 22.0,
        nouns: &[
            "moisturizer",
            "face serum",
            "cleanser",
            "sunscreen",
            "night cream",
        ],
        nouns_zh: &["面霜", "精华液", "洁面乳", "防晒霜"],
        uses: &["dry skin", "morning routines", "sensitive skin"],
        brands: &["Dewdrop", "Purelab", "Bloomwell"],
    },
    Category {
        path: "Beauty > Fragrance",
        path_zh: "美妆 > 香水",
        base_price: 60.0,
        nouns: &["eau de parfum", "body mist", "cologne", "scented oil"],
        nouns_zh: &["香水", "身体喷雾", "古龙水", "香氛精油"],
        uses: &["evenings out", "gifts", "every day"],
        brands: &["Bloomwell", "Maison Verre", "Dewdrop"],
    },
    Category {
        path: "Sports > Fitness",
        path_zh: "运动 > 健身",
        base_price: 35.0,
        nouns: &[
            "yoga mat",
            "dumbbell set",
            "resistance band",
            "jump rope",
            "foam roller",
        ],
        nouns_zh: &["瑜伽垫", "哑铃套装", "弹力带", "跳绳"],
        uses: &["home workouts", "stretching", "strength training"],
        brands: &["Pacelab", "Ironhide", "Flexfit"],
    },
    Category {
        path: "Sports > Outdoor",
        path_zh: "运动 > 户外",
        base_price: 65.0,
        nouns: &[
            "tent",
            "sleeping bag",
            "backpack",
            "camping stove",
            "headlamp",
        ],
        nouns_zh: &["帐篷", "睡袋", "背包", "露营炉"],
        uses: &["camping", "long hikes", "festival weekends"],
        brands: &["Summitcraft", "Trailborn", "Northwind"],
    },
    Category {
        path: "Toys > Building",
        path_zh: "玩具 > 积木",
        base_price: 40.0,
        nouns: &[
            "building set",
            "block kit",
            "marble run",
            "construction set",
        ],
        nouns_zh: &["积木套装", "拼搭玩具", "弹珠轨道", "工程套装"],
        uses: &["rainy days", "creative play", "birthdays"],
        brands: &["Brickly", "Playforge", "Tinkertown"],
    },
    Category {
        path: "Toys > Games",
        path_zh: "玩具 > 游戏",
        base_price: 28.0,
        nouns: &["board game", "card game", "puzzle", "party game"],
        nouns_zh: &["桌游", "卡牌游戏", "拼图", "聚会游戏"],
        uses: &["family nights", "parties", "two players"],
        brands: &["Playforge", "Tinkertown", "Meeple House"],
    },
    Category {
        path: "Books > Fiction",
        path_zh: "图书 > 小说",
        base_price: 15.0,
        nouns: &[
            "novel",
            "thriller",
            "short story collection",
            "fantasy saga",
        ],
        nouns_zh: &["长篇小说", "悬疑小说", "短篇小说集", "奇幻小说"],
        uses: &["the beach", "long flights", "book clubs"],
        brands: &["Inkwell Press", "Harbor Books", "Lantern"],
    },
    Category {
        path: "Books > Cooking",
        path_zh: "图书 > 烹饪",
        base_price: 25.0,
        nouns: &[
            "cookbook",
            "baking guide",
            "recipe collection",
            "grilling handbook",
        ],
        nouns_zh: &["食谱", "烘焙指南", "菜谱合集", "烧烤手册"],
        uses: &["home cooks", "beginners", "gifts"],
        brands: &["Harbor Books", "Lantern", "Kitchenry"],
    },
    Category {
        path: "Grocery > Coffee & Tea",
        path_zh: "食品 > 咖啡与茶",
        base_price: 12.0,
        nouns: &[
            "coffee beans",
            "ground coffee",
            "green tea",
            "herbal tea",
            "espresso pods",
        ],
        nouns_zh: &["咖啡豆", "咖啡粉", "绿茶", "花草茶"],
        uses: &["slow mornings", "the office", "afternoon breaks"],
        brands: &["Roastery Nine", "Leaf & Kettle", "Morningside"],
    },
    Category {
        path: "Grocery > Snacks",
        path_zh: "食品 > 零食",
        base_price: 6.0,
        nouns: &[
            "granola bars",
            "trail mix",
            "dark chocolate",
            "rice crackers",
            "dried mango",
        ],
        nouns_zh: &["燕麦棒", "坚果混合", "黑巧克力", "米饼"],
        uses: &["lunch boxes", "hikes", "movie nights"],
        brands: &["Morningside", "Nutfield", "Leaf & Kettle"],
    },
];

/// Adjectives (English, Chinese), aligned.
pub const ADJECTIVES: [(&str, &str); 16] = [
    ("classic", "经典"),
    ("lightweight", "轻便"),
    ("premium", "高级"),
    ("essential", "基础款"),
    ("vintage", "复古"),
    ("modern", "现代"),
    ("compact", "小巧"),
    ("deluxe", "豪华"),
    ("organic", "有机"),
    ("everyday", "日常"),
    ("soft", "柔软"),
    ("durable", "耐用"),
    ("minimalist", "极简"),
    ("cozy", "舒适"),
    ("sporty", "运动风"),
    ("elegant", "优雅"),
];

/// Colors (English, Chinese), aligned.
pub const COLORS: [(&str, &str); 10] = [
    ("black", "黑色"),
    ("white", "白色"),
    ("navy", "藏青色"),
    ("red", "红色"),
    ("green", "绿色"),
    ("grey", "灰色"),
    ("blue", "蓝色"),
    ("beige", "米色"),
    ("pink", "粉色"),
    ("olive", "橄榄色"),
];

/// Materials (English, Chinese), aligned.
pub const MATERIALS: [(&str, &str); 8] = [
    ("cotton", "纯棉"),
    ("recycled polyester", "再生涤纶"),
    ("stainless steel", "不锈钢"),
    ("bamboo", "竹制"),
    ("leather", "皮革"),
    ("wool", "羊毛"),
    ("ceramic", "陶瓷"),
    ("aluminium", "铝合金"),
];

/// Sentence templates of English descriptions: `{adj}`, `{noun}`, `{color}`,
/// `{material}`, `{use}` and `{brand}` are filled in.
pub const SENTENCES_EN: [&str; 8] = [
    "This {adj} {noun} from {brand} is made for {use}.",
    "Crafted from {material}, it keeps its shape wash after wash.",
    "The {color} finish pairs easily with the rest of your collection.",
    "A {adj} choice for {use}, with attention to every detail.",
    "{brand} designed this {noun} to be {adj} without compromise.",
    "Customers love how {adj} it feels from the very first use.",
    "Available in {color}, it makes a thoughtful gift for {use}.",
    "Care is simple: follow the label and it will last for years.",
];

/// Sentence templates of Chinese descriptions (same placeholders).
pub const SENTENCES_ZH: [&str; 6] = [
    "这款{brand}{adj}{noun}专为{use}设计。",
    "采用{material}材质，经久耐用。",
    "{color}外观简洁大方，百搭各种风格。",
    "{adj}设计，细节用心，是{use}的理想选择。",
    "很多顾客都称赞它{adj}好用。",
    "送礼自用两相宜，{color}款式尤其受欢迎。",
];

/// Chinese renderings of the English `uses` (generic, since uses vary by category).
pub const USES_ZH: [&str; 6] = [
    "日常使用",
    "周末出行",
    "居家生活",
    "送礼",
    "户外活动",
    "办公室",
];

/// One FAQ answer with the phrases its questions are built from.
pub struct FaqSeed {
    /// Intent label.
    pub intent: &'static str,
    /// Topic phrases completing "How do I …?" style questions.
    pub topics: &'static [&'static str],
    /// The answer.
    pub answer: &'static str,
}

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
