-- bedrock-meter: Bedrock control-plane events (not invocations, not Get*/List* but model-access probes)
WITH events AS (
  SELECT
    try(from_iso8601_timestamp(replace(eventtime, ' ', 'T'))) AS ts,
    *
  FROM "cloudtrail"."bedrock_trail"
  WHERE eventsource = 'bedrock.amazonaws.com'
    AND "timestamp" BETWEEN '2026/01/05' AND '2026/01/07'
    AND eventname NOT IN ('InvokeModel', 'InvokeModelWithResponseStream', 'InvokeModelWithBidirectionalStream', 'Converse', 'ConverseStream')
    AND (eventname IN ('GetFoundationModelAvailability') OR (eventname NOT LIKE 'Get%' AND eventname NOT LIKE 'List%'))
)
SELECT
  eventtime AS event_time,
  eventid AS event_id,
  eventname AS event_name,
  awsregion AS region,
  useridentity.type AS principal_type,
  useridentity.arn AS principal_arn,
  useridentity.accountid AS principal_account,
  useridentity.principalid AS principal_id,
  useridentity.invokedby AS invoked_by,
  useridentity.sessioncontext.sessionissuer.arn AS session_issuer_arn,
  sourceipaddress AS source_ip,
  useragent AS user_agent,
  errorcode AS error_code,
  errormessage AS error_message,
  requestparameters AS request_parameters,
  json_extract_scalar(additionaleventdata, '$.inferenceRegion') AS inference_region
FROM events
WHERE ts IS NULL
   OR (ts >= from_iso8601_timestamp('2026-01-05T00:00:00Z') AND ts < from_iso8601_timestamp('2026-01-07T00:00:00Z'))
ORDER BY eventtime, eventid
LIMIT 10000
