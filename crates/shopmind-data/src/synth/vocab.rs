//! Word lists for the synthetic catalog: per-category nouns in English
//! and Chinese, shared adjectives, colors, materials and sentence templates
//! (the FAQ text is in [`super::faq_text`]).
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
