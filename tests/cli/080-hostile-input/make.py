#!/usr/bin/env python3
"""Writes the hostile inputs of issue 10 into the current directory."""
ok = '{"TimeGenerated":"2026-11-16T10:00:00Z","SurveyId":"%s","OverallRatingScore":4}\n'
# a 100 MB line between two good records
with open("long-line.jsonl", "w") as f:
    f.write(ok % "before")
    f.write('{"TimeGenerated":"2026-11-16T10:00:00Z","SurveyId":"huge","OverallRatingScore":4,"x":"')
    f.write("a" * (100 << 20))
    f.write('"}\n')
    f.write(ok % "after")
# JSON nested 10,000 deep inside a record, and as a whole line
with open("deep.jsonl", "w") as f:
    f.write('{"TimeGenerated":"2026-11-16T10:00:00Z","SurveyId":"deep","OverallRatingScore":4,"x":'
            + "[" * 10000 + "]" * 10000 + "}\n")
    f.write("[" * 10000 + "]" * 10000 + "\n")
    f.write(ok % "after-deep")
# NUL bytes and invalid UTF-8 after the first 4 KiB
with open("nul.jsonl", "wb") as f:
    for i in range(60):
        f.write((ok % ("pad%02d" % i)).encode())
    f.write(b'{"TimeGenerated":"2026-11-16T10:00:00Z","SurveyId":"n\x00ul","OverallRatingScore":4}\n')
    f.write(b'{"TimeGenerated":"2026-11-16T10:00:00Z","SurveyId":"utf8-\xff\xfe","OverallRatingScore":4,"OverallCallIssues":"Bad\xc3"}\n')
# a UTF-16 export
with open("utf16.csv", "wb") as f:
    f.write("SurveyId,OverallRatingScore\n".encode("utf-16"))
# a CSV header of a million columns
with open("wide.csv", "w") as f:
    f.write("SurveyId," + ",".join("c%d" % i for i in range(1000000)) + "\n")
