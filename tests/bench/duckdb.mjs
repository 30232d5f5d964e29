// tests/bench/duckdb.mjs DIR: the DuckDB baseline of `make bench` (issue 9),
// through DuckDB's Node package from the npm registry.  The same work as the
// sqlite3 baseline: read surveys.jsonl and customEvents.jsonl, then per
// category and scale the responses, mean and poor count, the issue-tag
// counts, and the left join of surveys with custom answers by survey id.
// Prints one line per result set (row counts) so the work cannot be skipped.
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await inst.connect();
const cat = (p) =>
  `${p}RatingScore DOUBLE, ${p}RatingScoreLowerBound DOUBLE, ` +
  `${p}RatingScoreUpperBound DOUBLE, ${p}RatingScoreThreshold DOUBLE`;
const props =
  `STRUCT(SurveyId VARCHAR, CallId VARCHAR, ParticipantId VARCHAR, ${cat('Overall')}, ` +
  `OverallCallIssues VARCHAR, ${cat('Audio')}, AudioIssues VARCHAR, ${cat('Video')}, ` +
  `VideoIssues VARCHAR, ${cat('Screenshare')}, ScreenshareIssues VARCHAR)`;
await con.run(`CREATE TABLE s AS SELECT time, resourceId, properties AS p FROM read_json(
  '${dir}/surveys.jsonl', format = 'newline_delimited', ignore_errors = true,
  maximum_object_size = 67108864,
  columns = {time: 'VARCHAR', resourceId: 'VARCHAR', properties: '${props}'})`);
await con.run(`CREATE TABLE e AS SELECT lower(trim(json_extract_string(Properties, '$.id'))) AS sid
  FROM read_json('${dir}/customEvents.jsonl', format = 'newline_delimited', ignore_errors = true,
  columns = {Name: 'VARCHAR', Properties: 'JSON'}) WHERE Name = 'CallSurvey'`);
const q = [];
for (const c of ['Overall', 'Audio', 'Video', 'Screenshare']) {
  q.push(`SELECT coalesce(p.${c}RatingScoreLowerBound, 1) lo, coalesce(p.${c}RatingScoreUpperBound, 5) hi,
    coalesce(p.${c}RatingScoreThreshold, 2) th, count(*), avg(p.${c}RatingScore),
    sum(CASE WHEN p.${c}RatingScore <= coalesce(p.${c}RatingScoreThreshold, 2) THEN 1 ELSE 0 END)
    FROM s WHERE p.${c}RatingScore IS NOT NULL GROUP BY ALL`);
  const col = c === 'Overall' ? 'OverallCallIssues' : `${c}Issues`;
  q.push(`SELECT tag, count(*) FROM (SELECT unnest(string_split(p.${col}, ',')) AS tag FROM s
    WHERE p.${col} <> '') GROUP BY tag`);
}
q.push(`SELECT count(*), count(e.sid) FROM s LEFT JOIN e ON e.sid = lower(s.p.SurveyId)`);
for (const sql of q) {
  const r = await con.runAndReadAll(sql);
  process.stdout.write(`${r.getRows().length} `);
}
process.stdout.write('\n');
