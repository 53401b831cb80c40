-- A mapping decision re-matches only the variants it can reach (the ones sharing a key or a decision
-- with the variants it names), so the records, decisions and synced pairs of a handful of variants are
-- looked up by variant id on each side instead of every row being read and rewritten.
CREATE INDEX mapping_records_bigcommerce ON mapping_records (bc_variant_id);
CREATE INDEX mapping_records_shopify ON mapping_records (sh_variant_id);
CREATE INDEX mapping_decisions_bigcommerce ON mapping_decisions (bigcommerce_variant_id);
CREATE INDEX mapping_decisions_shopify ON mapping_decisions (shopify_variant_id);
CREATE INDEX synced_pairs_shopify ON synced_pairs (shopify_variant_id);
