//! CloudWatch (`monitoring`): ListMetrics and GetMetricData, paged, as plain data; and
//! PutMetricAlarm / DescribeAlarms for metric-math budget alarms.
//!
//! IAM actions: `cloudwatch:ListMetrics`, `cloudwatch:GetMetricData`; for `alert alarms`
//! `cloudwatch:PutMetricAlarm` and `cloudwatch:DescribeAlarms`.

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

/// The metric an alarm entry reads.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmMetric {
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<(String, String)>,
    pub period_secs: i32,
    /// `Sum`, `Average`…
    pub stat: String,
}

/// One entry of a metric-math alarm: a metric to read, or an expression over the others.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmQuery {
    pub id: String,
    pub metric: Option<AlarmMetric>,
    /// The expression of an expression entry.
    pub expression: Option<String>,
    pub label: Option<String>,
    /// Exactly one entry of an alarm returns data: the value the alarm watches.
    pub return_data: bool,
}

/// A metric-math alarm as PutMetricAlarm takes it and DescribeAlarms returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmDefinition {
    pub name: String,
    pub description: String,
    /// `GreaterThanOrEqualToThreshold` …
    pub comparison: String,
    pub threshold: f64,
    pub evaluation_periods: i32,
    /// `notBreaching`, `missing` …
    pub treat_missing_data: String,
    pub alarm_actions: Vec<String>,
    pub queries: Vec<AlarmQuery>,
}

impl CloudWatch {
    /// Creates or replaces a metric-math alarm (`cloudwatch:PutMetricAlarm`).
    pub async fn put_metric_alarm(&self, a: &AlarmDefinition) -> Result<(), AwsError> {
        use aws_sdk_cloudwatch::types::ComparisonOperator;
        let site = self.site("cloudwatch:PutMetricAlarm");
        let queries: Vec<MetricDataQuery> = a.queries.iter().map(alarm_query).collect();
        self.client
            .put_metric_alarm()
            .alarm_name(&a.name)
            .alarm_description(&a.description)
            .comparison_operator(ComparisonOperator::from(a.comparison.as_str()))
            .threshold(a.threshold)
            .evaluation_periods(a.evaluation_periods)
            .treat_missing_data(&a.treat_missing_data)
            .set_alarm_actions((!a.alarm_actions.is_empty()).then(|| a.alarm_actions.clone()))
            .set_metrics(Some(queries))
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        Ok(())
    }

    /// The metric alarms whose names start with `prefix` (`cloudwatch:DescribeAlarms`),
    /// following NextToken.
    pub async fn describe_alarms(&self, prefix: &str) -> Result<Vec<AlarmDefinition>, AwsError> {
        let site = self.site("cloudwatch:DescribeAlarms");
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let resp = self
                .client
                .describe_alarms()
                .alarm_name_prefix(prefix)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            for m in resp.metric_alarms() {
                out.push(AlarmDefinition {
                    name: m.alarm_name().unwrap_or_default().to_string(),
                    description: m.alarm_description().unwrap_or_default().to_string(),
                    comparison: m
                        .comparison_operator()
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default(),
                    threshold: m.threshold().unwrap_or_default(),
                    evaluation_periods: m.evaluation_periods().unwrap_or_default(),
                    treat_missing_data: m.treat_missing_data().unwrap_or_default().to_string(),
                    alarm_actions: m.alarm_actions().to_vec(),
                    queries: m.metrics().iter().map(plain_alarm_query).collect(),
                });
            }
            match resp.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }
}

fn alarm_query(q: &AlarmQuery) -> MetricDataQuery {
    let mut b = MetricDataQuery::builder()
        .id(&q.id)
        .return_data(q.return_data)
        .set_label(q.label.clone())
        .set_expression(q.expression.clone());
    if let Some(m) = &q.metric {
        let mut metric = Metric::builder()
            .namespace(&m.namespace)
            .metric_name(&m.metric_name);
        for (n, v) in &m.dimensions {
            metric = metric.dimensions(Dimension::builder().name(n).value(v).build());
        }
        b = b.metric_stat(
            MetricStat::builder()
                .metric(metric.build())
                .period(m.period_secs)
                .stat(&m.stat)
                .build(),
        );
    }
    b.build()
}

fn plain_alarm_query(q: &MetricDataQuery) -> AlarmQuery {
    AlarmQuery {
        id: q.id().unwrap_or_default().to_string(),
        metric: q.metric_stat().map(|s| {
            let m = s.metric();
            AlarmMetric {
                namespace: m
                    .and_then(|m| m.namespace())
                    .unwrap_or_default()
                    .to_string(),
                metric_name: m
                    .and_then(|m| m.metric_name())
                    .unwrap_or_default()
                    .to_string(),
                dimensions: m
                    .map(|m| {
                        m.dimensions()
                            .iter()
                            .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default(),
                period_secs: s.period().unwrap_or_default(),
                stat: s.stat().unwrap_or_default().to_string(),
            }
        }),
        expression: q.expression().map(str::to_string),
        label: q.label().map(str::to_string),
        return_data: q.return_data().unwrap_or(true),
    }
}
