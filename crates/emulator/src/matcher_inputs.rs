//! A seeded world as the matcher's inputs: the same fields the API snapshots carry, without the
//! HTTP round trip. The ground-truth test and the matching benchmark both start here.

use tillbridge_domain::matching::{BcVariantIn, ShVariantIn};

use crate::World;

impl World {
    pub fn matcher_inputs(&self) -> (Vec<BcVariantIn>, Vec<ShVariantIn>) {
        let bc = self
            .bigcommerce
            .products
            .iter()
            .flat_map(|p| {
                p.variants.iter().map(move |v| BcVariantIn {
                    product_id: p.id,
                    variant_id: v.id,
                    sku: v.sku.clone(),
                    barcodes: vec![v.upc.clone(), v.gtin.clone()],
                    options: v.option_values.iter().map(|o| (o.option_display_name.clone(), o.label.clone())).collect(),
                    title: p.name.clone(),
                })
            })
            .collect();
        let sh = self
            .shopify
            .products
            .iter()
            .flat_map(|p| {
                p.variants.iter().map(move |v| ShVariantIn {
                    product_id: format!("gid://shopify/Product/{}", p.id),
                    variant_id: format!("gid://shopify/ProductVariant/{}", v.id),
                    sku: v.sku.clone(),
                    barcode: v.barcode.clone(),
                    options: v.selected_options.clone(),
                    title: p.title.clone(),
                })
            })
            .collect();
        (bc, sh)
    }
}
