-- bedrock-meter: Bedrock calls by day, Region, principal, model, operation and error
WITH events AS (
  SELECT
    try(from_iso8601_timestamp(replace(eventtime, ' ', 'T'))) AS ts,
    awsregion,
    useridentity,
    json_extract_scalar(requestparameters, '$.modelId') AS model_id,
    eventname,
    errorcode,
    json_extract_scalar(additionaleventdata, '$.inferenceRegion') AS inference_region,
    sourceipaddress,
    useragent
  FROM "cloudtrail"."bedrock_trail"
  WHERE eventsource = 'bedrock.amazonaws.com'
    AND "timestamp" BETWEEN '2026/01/05' AND '2026/01/07'
)
SELECT
  date_format(ts AT TIME ZONE 'UTC', '%Y-%m-%d') AS day,
  awsregion AS region,
  useridentity.arn AS principal_arn,
  useridentity.type AS principal_type,
  useridentity.accountid AS principal_account,
  useridentity.invokedby AS invoked_by,
  useridentity.sessioncontext.sessionissuer.arn AS session_issuer_arn,
  model_id,
  eventname AS event_name,
  errorcode AS error_code,
  count(*) AS calls,
  count_if(inference_region IS NOT NULL AND inference_region <> '' AND inference_region <> awsregion) AS rerouted_calls,
  to_iso8601(min(ts) AT TIME ZONE 'UTC') AS first_seen,
  to_iso8601(max(ts) AT TIME ZONE 'UTC') AS last_seen,
  json_format(CAST(slice(array_sort(filter(array_agg(DISTINCT sourceipaddress), v -> v IS NOT NULL)), 1, 50) AS JSON)) AS source_ips,
  json_format(CAST(slice(array_sort(filter(array_agg(DISTINCT useragent), v -> v IS NOT NULL)), 1, 50) AS JSON)) AS user_agents
FROM events
WHERE ts IS NULL
   OR (ts >= from_iso8601_timestamp('2026-01-05T00:00:00Z') AND ts < from_iso8601_timestamp('2026-01-07T00:00:00Z'))
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
ORDER BY 1, 2, 3, 8, 9, 10
