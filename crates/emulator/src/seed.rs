//! The deterministic generator of a messy pair of stores.
//!
//! Real catalogs disagree in predictable ways: SKUs typed with different case and spacing,
//! blank SKUs on POS-created items, barcodes entered as UPC-A on one side and EAN-13 on the
//! other, "Colour/XL" against "Color/X-Large", duplicate listings, products on one side only,
//! stock that drifted per location. The generator plants each of these at known rates and
//! records, in [`GroundTruth`], what a correct matcher must conclude about every variant.
//!
//! The ground truth assumes the default matching rules: exact SKU, then SKU normalized by
//! trimming, case-folding and collapsing inner whitespace, then GTIN (UPC-A, EAN-13 and GTIN-14
//! compared as GTIN-14), with the default option synonyms (Colour = Color, S = Small,
//! M = Medium, L = Large, XL = X-Large).

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::rng::Rng;
use crate::world::*;

#[derive(Debug, Clone)]
pub struct SeedSpec {
    pub seed: u64,
    /// How many BigCommerce variants to create (the Shopify side ends up with about as many).
    pub variants: usize,
    /// Variants of a product with options; some products have a single base variant instead.
    pub variants_per_product: usize,
    pub locations: usize,
    /// "Now" for the seeded data; creation and modification dates fall before it.
    pub epoch: DateTime<Utc>,
}

impl Default for SeedSpec {
    fn default() -> SeedSpec {
        SeedSpec {
            seed: 42,
            variants: 500,
            variants_per_product: 3,
            locations: 2,
            epoch: Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).single().unwrap_or_default(),
        }
    }
}

const LOCATION_NAMES: &[&str] =
    &["Main Warehouse", "Downtown Store", "Harbour Outlet", "Airport Kiosk", "Riverside Mall", "Station Pop-up"];
const ADJECTIVES: &[&str] = &[
    "Harbor", "Alpine", "Coastal", "Urban", "Classic", "Everyday", "Trail", "Studio", "Heritage", "Summit", "Meadow",
    "Granite", "Cedar", "Nordic", "Canyon", "Prairie",
];
const NOUNS: &[&str] = &[
    "Wool Beanie",
    "Canvas Tote",
    "Rain Jacket",
    "Crew Socks",
    "Linen Shirt",
    "Travel Mug",
    "Leather Belt",
    "Hoodie",
    "Field Notebook",
    "Water Bottle",
    "Knit Scarf",
    "Denim Cap",
    "Tea Towel",
    "Trail Shorts",
    "Fleece Vest",
];
const VENDORS: &[&str] = &["Tillbridge Goods", "North Pier Co.", "Fernwood", "Oak & Loom"];
const SIZES: &[&str] = &["S", "M", "L", "XL"];
/// The same sizes as a POS clerk might have typed them, aligned with `SIZES`.
const SIZE_SYNONYMS: &[&str] = &["Small", "Medium", "Large", "X-Large"];
const COLORS: &[&str] = &["Red", "Blue", "Black", "Green", "Grey", "Navy"];
const FIRST_NAMES: &[&str] =
    &["Avery", "Jordan", "Riley", "Morgan", "Quinn", "Harper", "Rowan", "Emerson", "Sasha", "Devon", "Kai", "Robin"];
const LAST_NAMES: &[&str] =
    &["Fletcher", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Castillo", "Brennan", "Novak", "Haddad", "Whitlock"];

/// How a shared product's variant is spoiled on the Shopify side.
#[derive(Clone, Copy, PartialEq, Eq)]
enum VariantMess {
    Clean,
    SkuCaseAndSpacing,
    BarcodeOnly,
    UpcVersusEan13,
    ConflictingBarcode,
    DuplicateOnShopify,
}

fn roll_variant_mess(rng: &mut Rng) -> VariantMess {
    let u = rng.unit();
    match u {
        _ if u < 0.78 => VariantMess::Clean,
        _ if u < 0.84 => VariantMess::SkuCaseAndSpacing,
        _ if u < 0.88 => VariantMess::BarcodeOnly,
        _ if u < 0.91 => VariantMess::UpcVersusEan13,
        _ if u < 0.95 => VariantMess::ConflictingBarcode,
        _ => VariantMess::DuplicateOnShopify,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ProductKind {
    Shared { british_options: bool },
    SharedSkuSeparatedByOptions,
    BigCommerceOnly,
    ShopifyOnly,
}

fn roll_product_kind(rng: &mut Rng) -> ProductKind {
    let u = rng.unit();
    match u {
        _ if u < 0.08 => ProductKind::BigCommerceOnly,
        _ if u < 0.16 => ProductKind::ShopifyOnly,
        _ if u < 0.19 => ProductKind::SharedSkuSeparatedByOptions,
        _ => ProductKind::Shared { british_options: rng.chance(0.15) },
    }
}

/// The GTIN check digit over `body` (all digits but the last), per GS1.
fn check_digit(body: &str) -> u32 {
    let sum: u32 =
        body.bytes().rev().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    (10 - sum % 10) % 10
}

/// A valid 12-digit UPC-A, unique per `n`.
fn upc_a(n: u64) -> String {
    let body = format!("{:011}", 80_000_000_000u64 + n);
    let check = check_digit(&body);
    format!("{body}{check}")
}

fn money(rng: &mut Rng, min_cents: u64, max_cents: u64) -> Decimal {
    Decimal::new((min_cents + rng.below(max_cents - min_cents + 1)) as i64, 2)
}

/// Counters for every id space, so ids are unique and dense like a real store's.
struct Ids {
    bc_product: i64,
    bc_variant: i64,
    bc_option: i64,
    bc_option_value: i64,
    sh_product: u64,
    sh_variant: u64,
    barcode: u64,
}

impl Ids {
    fn next<T: Copy + std::ops::AddAssign + From<u8>>(counter: &mut T) -> T {
        *counter += T::from(1);
        *counter
    }
}

/// One variant of a product before it is written out for either side.
struct Draft {
    sku: String,
    upc: String,
    /// (option name, BigCommerce label) pairs; empty for a single-variant product.
    options: Vec<(&'static str, &'static str)>,
}

struct Builder<'a> {
    spec: &'a SeedSpec,
    rng: Rng,
    ids: Ids,
    world: World,
}

pub fn generate(spec: &SeedSpec) -> World {
    let locations = spec.locations.clamp(1, LOCATION_NAMES.len());
    let mut b = Builder {
        spec,
        rng: Rng::new(spec.seed),
        ids: Ids {
            bc_product: 99,
            bc_variant: 1_000,
            bc_option: 100,
            bc_option_value: 200,
            sh_product: 8_000_000_000,
            sh_variant: 45_000_000_000,
            barcode: 0,
        },
        world: World {
            bigcommerce: BcWorld {
                locations: (0..locations)
                    .map(|i| BcLocation {
                        id: i as i64 + 1,
                        code: if i == 0 { "MAIN".into() } else { format!("LOC-{}", i + 1) },
                        label: LOCATION_NAMES[i].into(),
                        is_default: i == 0,
                    })
                    .collect(),
                products: Vec::with_capacity(spec.variants / spec.variants_per_product.max(1) + 16),
            },
            shopify: ShopifyWorld {
                locations: (0..locations)
                    .map(|i| ShLocation { id: 70_000_001 + i as u64, name: LOCATION_NAMES[i].into() })
                    .collect(),
                products: Vec::with_capacity(spec.variants / spec.variants_per_product.max(1) + 16),
            },
            customers: Vec::new(),
            truth: GroundTruth { records: Vec::with_capacity(spec.variants + spec.variants / 4) },
        },
    };
    let mut bc_variants = 0usize;
    while bc_variants < spec.variants {
        let kind = roll_product_kind(&mut b.rng);
        let drafts = b.drafts(kind);
        if kind != ProductKind::ShopifyOnly {
            bc_variants += drafts.len();
        }
        b.product(kind, drafts);
    }
    b.customers();
    b.world
}

impl Builder<'_> {
    /// Decides a product's variants: a single base variant, or `variants_per_product` option combinations.
    fn drafts(&mut self, kind: ProductKind) -> Vec<Draft> {
        let n = Ids::next(&mut self.ids.bc_product);
        let base_sku = match kind {
            ProductKind::ShopifyOnly => format!("SH-{n:06}"),
            _ => format!("TB-{n:06}"),
        };
        let single = self.rng.chance(0.2) || self.spec.variants_per_product <= 1;
        let count = if single { 1 } else { self.spec.variants_per_product.min(SIZES.len() * COLORS.len()) };
        let color_start = self.rng.below(COLORS.len() as u64) as usize;
        (0..count)
            .map(|i| {
                self.ids.barcode += 1;
                let upc = upc_a(self.ids.barcode);
                if single {
                    return Draft { sku: base_sku.clone(), upc, options: Vec::new() };
                }
                let size = SIZES[i % SIZES.len()];
                let color = COLORS[(color_start + i / SIZES.len()) % COLORS.len()];
                let sku = match kind {
                    ProductKind::SharedSkuSeparatedByOptions => base_sku.clone(),
                    _ => format!("{base_sku}-{}-{size}", color.to_uppercase()),
                };
                Draft { sku, upc, options: vec![("Color", color), ("Size", size)] }
            })
            .collect()
    }

    fn product(&mut self, kind: ProductKind, drafts: Vec<Draft>) {
        let title = format!("{} {}", self.rng.pick(ADJECTIVES), self.rng.pick(NOUNS));
        let created = self.spec.epoch - Duration::days(30 + self.rng.below(700) as i64);
        let modified = created + Duration::minutes(self.rng.below(60 * 24 * 30) as i64);
        let price = money(&mut self.rng, 500, 19_999);

        let bc = (kind != ProductKind::ShopifyOnly).then(|| self.bc_product(&title, price, created, modified, &drafts));
        if kind == ProductKind::BigCommerceOnly {
            let ids: Vec<(i64, i64)> =
                bc.iter().flat_map(|p| p.variants.iter().map(|v| (v.product_id, v.id))).collect();
            for id in ids {
                self.record(TruthClass::Unmatched, None, Mess::BigCommerceOnly, Some(id), None);
            }
            self.world.bigcommerce.products.extend(bc);
            return;
        }

        let british = matches!(kind, ProductKind::Shared { british_options: true });
        let messes: Vec<VariantMess> = drafts
            .iter()
            .map(|_| match kind {
                ProductKind::Shared { .. } => roll_variant_mess(&mut self.rng),
                _ => VariantMess::Clean,
            })
            .collect();

        // The Shopify listing, and a second "duplicate listing" holding the copies of the variants
        // whose SKU is duplicated on Shopify.
        let sh_product_id = Ids::next(&mut self.ids.sh_product);
        let mut sh_variants = Vec::with_capacity(drafts.len());
        let mut dup_variants = Vec::new();
        let dup_product_id =
            messes.contains(&VariantMess::DuplicateOnShopify).then(|| Ids::next(&mut self.ids.sh_product));
        for (i, d) in drafts.iter().enumerate() {
            let mess = messes[i];
            let (sku, barcode) = match (kind, mess) {
                (ProductKind::ShopifyOnly, _) if self.rng.chance(0.25) => (String::new(), String::new()),
                (_, VariantMess::SkuCaseAndSpacing) => (spoil_sku(&d.sku, &mut self.rng), d.upc.clone()),
                (_, VariantMess::BarcodeOnly) => (String::new(), d.upc.clone()),
                (_, VariantMess::UpcVersusEan13) => (String::new(), format!("0{}", d.upc)),
                (_, VariantMess::ConflictingBarcode) => {
                    self.ids.barcode += 1;
                    (d.sku.clone(), upc_a(self.ids.barcode + 500_000_000))
                }
                // Some clean variants have no barcode on Shopify at all: blank is not a disagreement.
                _ => (d.sku.clone(), if self.rng.chance(0.1) { String::new() } else { d.upc.clone() }),
            };
            let options = self.shopify_options(&d.options, british);
            let bc_variant = bc.as_ref().map(|p| &p.variants[i]);
            let sh_price = bc_variant.and_then(|v| v.price).unwrap_or(price);
            let sh = self.sh_variant(sh_product_id, sku, barcode, sh_price, options.clone(), bc_variant, modified);
            if mess == VariantMess::DuplicateOnShopify
                && let Some(dup_id) = dup_product_id
            {
                let copy = self.sh_variant(
                    dup_id,
                    sh.sku.clone(),
                    sh.barcode.clone(),
                    sh.price,
                    options,
                    bc_variant,
                    modified,
                );
                dup_variants.push(copy);
            }
            sh_variants.push(sh);
        }

        // Ground truth, variant by variant.
        for (i, sh) in sh_variants.iter().enumerate() {
            let sh_ref = Some((sh.product_id, sh.id));
            let Some(bv) = bc.as_ref().map(|p| &p.variants[i]) else {
                let mess = if sh.sku.is_empty() && sh.barcode.is_empty() {
                    Mess::BlankSkuNoBarcode
                } else {
                    Mess::ShopifyOnly
                };
                self.record(TruthClass::Unmatched, None, mess, None, sh_ref);
                continue;
            };
            let bc_ref = Some((bv.product_id, bv.id));
            let clean_mess = match kind {
                ProductKind::SharedSkuSeparatedByOptions => Mess::SharedSkuSeparatedByOptions,
                _ if british => Mess::OptionSynonyms,
                _ => Mess::Clean,
            };
            match messes[i] {
                VariantMess::Clean => self.record(TruthClass::Matched, Some(TruthKey::Sku), clean_mess, bc_ref, sh_ref),
                VariantMess::SkuCaseAndSpacing => self.record(
                    TruthClass::Matched,
                    Some(TruthKey::NormalizedSku),
                    Mess::SkuCaseAndSpacing,
                    bc_ref,
                    sh_ref,
                ),
                VariantMess::BarcodeOnly => {
                    self.record(TruthClass::Matched, Some(TruthKey::Gtin), Mess::BarcodeOnly, bc_ref, sh_ref)
                }
                VariantMess::UpcVersusEan13 => {
                    self.record(TruthClass::Matched, Some(TruthKey::Gtin), Mess::UpcVersusEan13, bc_ref, sh_ref)
                }
                VariantMess::ConflictingBarcode => {
                    self.record(TruthClass::Conflict, Some(TruthKey::Sku), Mess::ConflictingBarcode, bc_ref, sh_ref)
                }
                VariantMess::DuplicateOnShopify => {
                    self.record(TruthClass::Ambiguous, None, Mess::DuplicateSkuOnShopify, bc_ref, None);
                    self.record(TruthClass::Ambiguous, None, Mess::DuplicateSkuOnShopify, None, sh_ref);
                }
            }
        }
        for dup in &dup_variants {
            self.record(TruthClass::Ambiguous, None, Mess::DuplicateSkuOnShopify, None, Some((dup.product_id, dup.id)));
        }

        let options = sh_option_list(&sh_variants);
        let vendor = self.rng.pick(VENDORS).to_string();
        let handle = format!("{}-{sh_product_id}", title.to_lowercase().replace(' ', "-"));
        if let Some(dup_id) = dup_product_id {
            self.world.shopify.products.push(ShProduct {
                id: dup_id,
                title: format!("{title} (duplicate listing)"),
                handle: format!("{handle}-copy"),
                vendor: vendor.clone(),
                options: sh_option_list(&dup_variants),
                variants: dup_variants,
                created_at: created,
                updated_at: modified,
            });
        }
        self.world.shopify.products.push(ShProduct {
            id: sh_product_id,
            title,
            handle,
            vendor,
            options,
            variants: sh_variants,
            created_at: created,
            updated_at: modified,
        });
        self.world.bigcommerce.products.extend(bc);
    }

    fn bc_product(
        &mut self,
        title: &str,
        price: Decimal,
        created: DateTime<Utc>,
        modified: DateTime<Utc>,
        drafts: &[Draft],
    ) -> BcProduct {
        let product_id = self.ids.bc_product;
        // One BigCommerce option per option name, with the values this product uses.
        let mut options: Vec<BcOption> = Vec::new();
        for d in drafts {
            for &(name, label) in &d.options {
                let pos = match options.iter().position(|o| o.display_name == name) {
                    Some(p) => p,
                    None => {
                        options.push(BcOption {
                            id: Ids::next(&mut self.ids.bc_option),
                            display_name: name.into(),
                            values: vec![],
                        });
                        options.len() - 1
                    }
                };
                if !options[pos].values.iter().any(|v| v.label == label) {
                    let id = Ids::next(&mut self.ids.bc_option_value);
                    options[pos].values.push(BcOptionValue { id, label: label.into() });
                }
            }
        }
        let locations: Vec<i64> = self.world.bigcommerce.locations.iter().map(|l| l.id).collect();
        let variants = drafts
            .iter()
            .map(|d| {
                let option_values = d
                    .options
                    .iter()
                    .filter_map(|&(name, label)| {
                        let o = options.iter().find(|o| o.display_name == name)?;
                        let v = o.values.iter().find(|v| v.label == label)?;
                        Some(BcVariantOptionValue {
                            id: v.id,
                            label: label.into(),
                            option_id: o.id,
                            option_display_name: name.into(),
                        })
                    })
                    .collect();
                let stock = locations
                    .iter()
                    .map(|&location_id| BcStock {
                        location_id,
                        on_hand: if self.rng.chance(0.1) { 0 } else { self.rng.below(40) as i64 + 1 },
                        safety_stock: if self.rng.chance(0.1) { 2 } else { 0 },
                    })
                    .collect();
                BcVariant {
                    id: Ids::next(&mut self.ids.bc_variant),
                    product_id,
                    sku: d.sku.clone(),
                    upc: d.upc.clone(),
                    gtin: String::new(),
                    mpn: String::new(),
                    price: self.rng.chance(0.3).then(|| price + Decimal::new(self.rng.below(5) as i64 * 100, 2)),
                    sale_price: None,
                    option_values,
                    stock,
                }
            })
            .collect();
        let single = drafts.len() == 1 && drafts[0].options.is_empty();
        BcProduct {
            id: product_id,
            name: title.to_string(),
            sku: if single { drafts[0].sku.clone() } else { format!("TB-{product_id:06}") },
            price,
            sale_price: Decimal::ZERO,
            retail_price: Decimal::ZERO,
            upc: if single { drafts[0].upc.clone() } else { String::new() },
            gtin: String::new(),
            mpn: String::new(),
            weight: Decimal::new(self.rng.below(3000) as i64 + 50, 3),
            inventory_tracking: if single { "product" } else { "variant" },
            options,
            variants,
            date_created: created,
            date_modified: modified,
        }
    }

    /// Shopify's selected options for a variant: British names and spelled-out sizes when asked.
    fn shopify_options(&mut self, options: &[(&'static str, &'static str)], british: bool) -> Vec<(String, String)> {
        if options.is_empty() {
            return vec![("Title".into(), "Default Title".into())];
        }
        options
            .iter()
            .map(|&(name, value)| match (british, name) {
                (true, "Color") => ("Colour".to_string(), value.to_string()),
                (true, "Size") => {
                    let i = SIZES.iter().position(|s| *s == value).unwrap_or(0);
                    ("Size".to_string(), SIZE_SYNONYMS[i].to_string())
                }
                _ => (name.to_string(), value.to_string()),
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn sh_variant(
        &mut self,
        product_id: u64,
        sku: String,
        barcode: String,
        price: Decimal,
        selected_options: Vec<(String, String)>,
        bc: Option<&BcVariant>,
        updated_at: DateTime<Utc>,
    ) -> ShVariant {
        let id = Ids::next(&mut self.ids.sh_variant);
        let title = if selected_options.len() == 1 && selected_options[0].0 == "Title" {
            "Default Title".to_string()
        } else {
            selected_options.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(" / ")
        };
        let levels = self
            .world
            .shopify
            .locations
            .clone()
            .iter()
            .enumerate()
            .map(|(i, loc)| {
                let sellable = bc.and_then(|v| v.stock.get(i)).map(|s| (s.on_hand - s.safety_stock).max(0));
                let available = match sellable {
                    // Most matched stock agrees; some has drifted, as it does between systems.
                    Some(q) if self.rng.chance(0.75) => q,
                    Some(q) => (q + self.rng.below(9) as i64 - 3).max(0),
                    None => self.rng.below(25) as i64,
                };
                ShLevel { location_id: loc.id, available, committed: 0, on_hand: available }
            })
            .collect();
        ShVariant {
            id,
            product_id,
            title,
            sku,
            barcode,
            price,
            compare_at_price: None,
            selected_options,
            // Inventory items are numbered alongside variants, one each.
            inventory_item_id: id + 2_000_000_000,
            levels,
            updated_at,
        }
    }

    fn record(
        &mut self,
        class: TruthClass,
        key: Option<TruthKey>,
        mess: Mess,
        bc: Option<(i64, i64)>,
        sh: Option<(u64, u64)>,
    ) {
        self.world.truth.records.push(TruthRecord { class, key, mess, bigcommerce: bc, shopify: sh });
    }

    fn customers(&mut self) {
        let n = (self.spec.variants / 50).clamp(20, 2_000);
        for i in 0..n {
            let first = *self.rng.pick(FIRST_NAMES);
            let last = *self.rng.pick(LAST_NAMES);
            let on_bigcommerce = self.rng.chance(0.85);
            self.world.customers.push(SeedCustomer {
                first_name: first.into(),
                last_name: last.into(),
                email: format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), i + 1),
                on_bigcommerce,
                on_shopify: !on_bigcommerce || self.rng.chance(0.8),
            });
        }
    }
}

/// " tb-000123-red-m " or "tb-000123-red-m\t": what a clerk's keyboard does to a SKU.
fn spoil_sku(sku: &str, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!(" {} ", sku.to_lowercase()),
        1 => sku.to_lowercase(),
        _ => format!("{sku}\t"),
    }
}

/// A product's option list in first-seen order, from its variants' selected options.
fn sh_option_list(variants: &[ShVariant]) -> Vec<ShOption> {
    let mut options: Vec<ShOption> = Vec::new();
    for v in variants {
        for (name, value) in &v.selected_options {
            match options.iter_mut().find(|o| &o.name == name) {
                Some(o) if !o.values.contains(value) => o.values.push(value.clone()),
                Some(_) => {}
                None => options.push(ShOption { name: name.clone(), values: vec![value.clone()] }),
            }
        }
    }
    options
}
