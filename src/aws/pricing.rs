//! The AWS Price List Query API (`pricing:GetProducts`), as plain strings.
//!
//! The Price List publishes every AWS price as *products* (a SKU and its attributes: Region,
//! usage type, model…) with *terms* (`OnDemand`: the price dimensions with their unit and
//! USD rate). GetProducts returns them for one service code, filtered by attribute values,
//! in pages joined by `NextToken`. Each item of a page is itself a JSON document **as a
//! string** (`PriceList: ["{\"product\": …}", …]`); this module hands those strings on
//! unparsed ([`crate::catalog::pricelist`] reads them).
//!
//! The API has endpoints in few Regions only; Bedrock's prices are read from `us-east-1`
//! whatever Region they are for (the `regionCode` filter picks the Region).
//!
//! IAM action: `pricing:GetProducts`.

use aws_sdk_pricing::Client;
use aws_sdk_pricing::config::Region;
use aws_sdk_pricing::types::{Filter, FilterType};

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "Price List",
    env: "PRICING",
    host: "api.pricing",
};

/// The Region of the Price List endpoint used for every query.
pub const PRICING_REGION: &str = "us-east-1";

/// GetProducts' largest page.
pub const MAX_PRODUCTS_PER_PAGE: i32 = 100;

/// What one GetProducts series returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductPages {
    /// Each Price List item, a JSON document as text.
    pub items: Vec<String>,
    /// Pages read (calls made).
    pub pages: u64,
}

/// The Price List Query API.
pub struct PriceList {
    client: Client,
    endpoint: String,
    attempts: u32,
}

impl PriceList {
    pub fn new(aws: &Aws) -> PriceList {
        let conf = aws_sdk_pricing::config::Builder::from(&aws.config)
            .region(Region::new(PRICING_REGION))
            .build();
        PriceList {
            client: Client::from_conf(conf),
            endpoint: aws.endpoint(SERVICE, PRICING_REGION),
            attempts: aws.max_attempts,
        }
    }

    /// Every product of `service_code` (for one `region_code` when given), following
    /// NextToken to the last page.
    pub async fn products(
        &self,
        service_code: &str,
        region_code: Option<&str>,
    ) -> Result<ProductPages, AwsError> {
        let site = CallSite {
            service: SERVICE.name,
            action: "pricing:GetProducts",
            region: PRICING_REGION,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        };
        let filters = match region_code {
            Some(r) => vec![
                Filter::builder()
                    .r#type(FilterType::TermMatch)
                    .field("regionCode")
                    .value(r)
                    .build()
                    .map_err(|e| AwsError::Invalid(format!("bad Price List filter: {e}")))?,
            ],
            None => Vec::new(),
        };
        let mut out = ProductPages::default();
        let mut token: Option<String> = None;
        loop {
            let resp = self
                .client
                .get_products()
                .service_code(service_code)
                .set_filters((!filters.is_empty()).then(|| filters.clone()))
                .format_version("aws_v1")
                .max_results(MAX_PRODUCTS_PER_PAGE)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            out.pages += 1;
            out.items.extend(resp.price_list().iter().cloned());
            match resp.next_token() {
                Some(t) if !t.is_empty() && Some(t) != token.as_deref() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        Ok(out)
    }
}
