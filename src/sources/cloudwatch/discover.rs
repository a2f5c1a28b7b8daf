//! Finding the model series: ListMetrics over `AWS/Bedrock`, every metric with a `ModelId`
//! dimension.
//!
//! ListMetrics only returns metrics that received data in the **last two weeks**. A series
//! that went quiet earlier is invisible to it, though GetMetricData still has its data
//! (daily data is kept 15 months): name such series with `--series` to include them.

use std::collections::BTreeSet;

use super::metrics::{self, Field};
use crate::aws::AwsError;
use crate::aws::cloudwatch::{CloudWatch, ListedMetric};

/// One CloudWatch metric of one model series: its name and its full dimension set (needed
/// verbatim by GetMetricData).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeriesMetric {
    /// The raw `ModelId` value (untrusted text).
    pub model_id: String,
    pub metric_name: String,
    pub field: Field,
    /// `(name, value)` pairs, `ModelId` included, sorted by name.
    pub dimensions: Vec<(String, String)>,
}

/// Turns a listed metric into a series metric, or `None` when the report does not use it.
///
/// Latency averages and percentiles of different dimension sets cannot be added, so only
/// the plain `ModelId` latency series is kept; counts with extra dimensions
/// (`OutputImageCount` by image size) are kept and summed.
pub fn series_metric(m: &ListedMetric) -> Option<SeriesMetric> {
    let name = m.name.as_str();
    let field = metrics::classify(name)?;
    let mut dimensions = m.dimensions.clone();
    dimensions.sort();
    let model_id = dimensions
        .iter()
        .find(|(n, _)| n == metrics::MODEL_DIMENSION)?
        .1
        .clone();
    if field == Field::Latency && dimensions.len() != 1 {
        return None;
    }
    Some(SeriesMetric {
        model_id,
        metric_name: name.to_string(),
        field,
        dimensions,
    })
}

/// Lists every usable metric of the Region. Returns the metrics, sorted, and the number
/// of ListMetrics calls made.
pub async fn list(cloudwatch: &CloudWatch) -> Result<(Vec<SeriesMetric>, u64), AwsError> {
    let (listed, calls) = cloudwatch
        .list_metrics(metrics::NAMESPACE, metrics::MODEL_DIMENSION)
        .await?;
    let found: BTreeSet<SeriesMetric> = listed.iter().filter_map(series_metric).collect();
    Ok((found.into_iter().collect(), calls))
}

/// Adds the standard metrics of series named by the user (`--series`) that ListMetrics did
/// not return. Cache metric names are the ones seen on other series, else the documented
/// ones.
pub fn add_named_series(found: &mut Vec<SeriesMetric>, model_ids: &[String]) {
    let mut cache_names: BTreeSet<(String, Field)> = found
        .iter()
        .filter(|m| matches!(m.field, Field::CacheReadTokens | Field::CacheWriteTokens))
        .map(|m| (m.metric_name.clone(), m.field))
        .collect();
    if cache_names.is_empty() {
        cache_names.extend(
            metrics::DEFAULT_CACHE_METRICS
                .iter()
                .map(|(n, f)| (n.to_string(), *f)),
        );
    }
    let standard = metrics::KNOWN
        .iter()
        .filter(|(_, f)| *f != Field::Images)
        .map(|(n, f)| (n.to_string(), *f))
        .chain(cache_names);
    let wanted: Vec<(String, Field)> = standard.collect();
    let mut all: BTreeSet<SeriesMetric> = found.drain(..).collect();
    for id in model_ids {
        for (name, field) in &wanted {
            let dims = vec![(metrics::MODEL_DIMENSION.to_string(), id.clone())];
            if !all
                .iter()
                .any(|m| &m.model_id == id && &m.metric_name == name)
            {
                all.insert(SeriesMetric {
                    model_id: id.clone(),
                    metric_name: name.clone(),
                    field: *field,
                    dimensions: dims,
                });
            }
        }
    }
    found.extend(all);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(name: &str, dims: &[(&str, &str)]) -> ListedMetric {
        ListedMetric {
            name: name.to_string(),
            dimensions: dims
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn listed_metrics_become_series_metrics() {
        let m = series_metric(&metric("Invocations", &[("ModelId", "us.x")])).unwrap();
        assert_eq!(m.model_id, "us.x");
        assert_eq!(m.field, Field::Invocations);
        let img = series_metric(&metric(
            "OutputImageCount",
            &[("ModelId", "img"), ("ImageSize", "1024x1024")],
        ))
        .unwrap();
        assert_eq!(img.dimensions.len(), 2);
        assert!(series_metric(&metric("TimeToFirstToken", &[("ModelId", "x")])).is_none());
        assert!(series_metric(&metric("Invocations", &[("Other", "x")])).is_none());
        assert!(
            series_metric(&metric(
                "InvocationLatency",
                &[("ModelId", "x"), ("Extra", "y")]
            ))
            .is_none()
        );
    }

    #[test]
    fn named_series_get_the_standard_metrics() {
        let mut found = vec![
            series_metric(&metric("CacheReadInputTokenCount", &[("ModelId", "a")])).unwrap(),
            series_metric(&metric("Invocations", &[("ModelId", "b")])).unwrap(),
        ];
        add_named_series(&mut found, &["b".to_string(), "c".to_string()]);
        let of = |id: &str| found.iter().filter(|m| m.model_id == id).count();
        assert_eq!(of("a"), 1);
        // 7 standard metrics (no images) + the cache-read name seen on `a`.
        assert_eq!(of("b"), 8);
        assert_eq!(of("c"), 8);
        assert!(
            found
                .iter()
                .any(|m| m.model_id == "c" && m.metric_name == "CacheReadInputTokenCount")
        );
    }
}
