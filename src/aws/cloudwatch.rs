//! CloudWatch (`monitoring`): ListMetrics and GetMetricData, paged, as plain data.
//!
//! IAM actions: `cloudwatch:ListMetrics`, `cloudwatch:GetMetricData`.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::config::Region;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, DimensionFilter, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy,
    StatusCode,
};

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "CloudWatch",
    env: "CLOUDWATCH",
    host: "monitoring",
};

/// GetMetricData's limit of queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;

/// A metric as ListMetrics lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMetric {
    pub name: String,
    /// `(name, value)` pairs, in the order CloudWatch gave them.
    pub dimensions: Vec<(String, String)>,
}

/// One GetMetricData query: one statistic of one metric over fixed periods.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuery {
    /// Must start with a lowercase letter; results carry it back.
    pub id: String,
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<(String, String)>,
    pub period_secs: i64,
    /// `Sum`, `Average`, `p99`…
    pub stat: String,
}

/// The status CloudWatch gives a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultStatus {
    Complete,
    PartialData,
    InternalError,
    Forbidden,
    Other,
}

/// The answer to one query (possibly one page of it).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricResult {
    pub id: Option<String>,
    pub status: ResultStatus,
    pub messages: Vec<String>,
    /// `(bucket start in seconds since the epoch, value)`.
    pub points: Vec<(i64, f64)>,
}

/// CloudWatch of one Region.
pub struct CloudWatch {
    client: Client,
    region: String,
    endpoint: String,
    attempts: u32,
}

impl CloudWatch {
    pub fn new(aws: &Aws, region: &str) -> CloudWatch {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&aws.config)
            .region(Region::new(region.to_string()))
            .build();
        CloudWatch {
            client: Client::from_conf(conf),
            region: region.to_string(),
            endpoint: aws.endpoint(SERVICE, region),
            attempts: aws.max_attempts,
        }
    }

    fn site(&self, action: &'static str) -> CallSite<'_> {
        CallSite {
            service: SERVICE.name,
            action,
            region: &self.region,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        }
    }

    /// Every metric of `namespace` that has a dimension named `dimension`, following
    /// NextToken. Returns the metrics and the number of calls made.
    pub async fn list_metrics(
        &self,
        namespace: &str,
        dimension: &str,
    ) -> Result<(Vec<ListedMetric>, u64), AwsError> {
        let site = self.site("cloudwatch:ListMetrics");
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        let mut calls = 0;
        loop {
            let resp = self
                .client
                .list_metrics()
                .namespace(namespace)
                .dimensions(DimensionFilter::builder().name(dimension).build())
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            found.extend(resp.metrics().iter().filter_map(listed));
            match resp.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok((found, calls))
    }

    /// Runs up to [`MAX_QUERIES_PER_CALL`] queries over `[start, end)` (seconds), following
    /// NextToken; `on_page` gets each call's results as it arrives. Returns the number of
    /// calls made.
    pub async fn get_metric_data(
        &self,
        queries: &[MetricQuery],
        start: i64,
        end: i64,
        on_page: &mut (dyn FnMut(Vec<MetricResult>) + Send),
    ) -> Result<u64, AwsError> {
        let site = self.site("cloudwatch:GetMetricData");
        let sdk_queries: Vec<MetricDataQuery> = queries.iter().map(sdk_query).collect();
        let mut token: Option<String> = None;
        let mut calls = 0;
        loop {
            let resp = self
                .client
                .get_metric_data()
                .set_metric_data_queries(Some(sdk_queries.clone()))
                .start_time(DateTime::from_secs(start))
                .end_time(DateTime::from_secs(end))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            on_page(
                resp.metric_data_results()
                    .iter()
                    .map(plain_result)
                    .collect(),
            );
            match resp.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(calls)
    }
}

fn listed(m: &Metric) -> Option<ListedMetric> {
    Some(ListedMetric {
        name: m.metric_name()?.to_string(),
        dimensions: m
            .dimensions()
            .iter()
            .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
            .collect(),
    })
}

fn sdk_query(q: &MetricQuery) -> MetricDataQuery {
    let mut metric = Metric::builder()
        .namespace(&q.namespace)
        .metric_name(&q.metric_name);
    for (name, value) in &q.dimensions {
        metric = metric.dimensions(Dimension::builder().name(name).value(value).build());
    }
    MetricDataQuery::builder()
        .id(&q.id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric.build())
                .period(q.period_secs as i32)
                .stat(&q.stat)
                .build(),
        )
        .return_data(true)
        .build()
}

fn plain_result(r: &MetricDataResult) -> MetricResult {
    MetricResult {
        id: r.id().map(str::to_string),
        status: match r.status_code() {
            Some(StatusCode::Complete) => ResultStatus::Complete,
            Some(StatusCode::PartialData) => ResultStatus::PartialData,
            Some(StatusCode::InternalError) => ResultStatus::InternalError,
            Some(StatusCode::Forbidden) => ResultStatus::Forbidden,
            _ => ResultStatus::Other,
        },
        messages: r
            .messages()
            .iter()
            .filter_map(|m| m.value().map(str::to_string))
            .collect(),
        points: r
            .timestamps()
            .iter()
            .zip(r.values())
            .map(|(t, v)| (t.secs(), *v))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudwatch::types::MessageData;

    #[test]
    fn queries_name_the_exact_metric() {
        let q = sdk_query(&MetricQuery {
            id: "q7".into(),
            namespace: "AWS/Bedrock".into(),
            metric_name: "OutputImageCount".into(),
            dimensions: vec![
                ("ImageSize".into(), "512x512".into()),
                ("ModelId".into(), "us.x".into()),
            ],
            period_secs: 86_400,
            stat: "Sum".into(),
        });
        assert_eq!(q.id(), Some("q7"));
        let stat = q.metric_stat().unwrap();
        assert_eq!(stat.stat(), Some("Sum"));
        assert_eq!(stat.period(), Some(86_400));
        let metric = stat.metric().unwrap();
        assert_eq!(metric.namespace(), Some("AWS/Bedrock"));
        assert_eq!(metric.metric_name(), Some("OutputImageCount"));
        assert_eq!(metric.dimensions().len(), 2);
    }

    #[test]
    fn sdk_results_become_plain_results() {
        let r = MetricDataResult::builder()
            .id("q3")
            .label("=HYPERLINK(\"labels are not trusted\")")
            .status_code(StatusCode::InternalError)
            .messages(MessageData::builder().value("too much").build())
            .timestamps(DateTime::from_secs(100))
            .values(2.5)
            .timestamps(DateTime::from_secs(200))
            .values(3.5)
            .build();
        let p = plain_result(&r);
        assert_eq!(p.id.as_deref(), Some("q3"));
        assert_eq!(p.status, ResultStatus::InternalError);
        assert_eq!(p.messages, vec!["too much".to_string()]);
        assert_eq!(p.points, vec![(100, 2.5), (200, 3.5)]);
        let m = Metric::builder()
            .metric_name("Invocations")
            .dimensions(Dimension::builder().name("ModelId").value("x").build())
            .build();
        assert_eq!(
            listed(&m),
            Some(ListedMetric {
                name: "Invocations".into(),
                dimensions: vec![("ModelId".into(), "x".into())]
            })
        );
        assert_eq!(listed(&Metric::builder().build()), None);
    }
}
