#!/usr/bin/env python3
"""Hostile text for the safe-output case: invalid UTF-8 (raw bytes) and
control characters (JSON escapes) in survey ids, call ids, resource names,
tags and custom answers, and answers that spreadsheets would run as
formulas."""
import os

os.makedirs("in", exist_ok=True)
RES = (b"/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/RESOURCEGROUPS/RG/PROVIDERS/"
       b"MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/ACS-\\u001b[31mRED")
# (survey id, tags) as they appear inside JSON strings
surveys = [
    (b"utf8-\xff\xfe-id", b"HadToRejoin,Bad\xc3"),
    (b"ctl-\\u001b]0;title\\u0007-id", b"Weird\\u0001Tag"),
    (b"plain-id", b"CallCannotJoin"),
    (b"bidi-\xe2\x80\xae-id", b"=cmd|' /C calc'!A0"),
]
with open("in/surveys.jsonl", "wb") as f:
    for i, (sid, tags) in enumerate(surveys):
        f.write(b'{"TimeGenerated":"2026-10-27T1%d:00:00Z","SurveyId":"%s","CallId":"call-\\u0008%d",'
                b'"_ResourceId":"%s","OverallRatingScore":%d,"OverallCallIssues":"%s"}\n'
                % (i, sid, i, RES, 1 + i, tags))
answers = [b'=HYPERLINK(\\"http://example.com\\",\\"click\\")', b"+1+2", b"-3+4", b"@SUM(A1:A2)",
           b"\\tTab first", b"\\rCR first", b"ctl \\u0001\\u001b[2J text", b"bad \xc3\x28 utf8 \xed\xa0\x80",
           # report.html (issue 19): markup that would run if not escaped
           b"<script>alert(1)</script>", b'\\"><img src=x onerror=window.__pwned=1>']
# up to three answers per survey under three keys: the Custom sheet shows a survey
# once, with its latest answer per key, so each answer has a key of its own
with open("in/events.jsonl", "wb") as f:
    for i, a in enumerate(answers):
        sid = surveys[i % len(surveys)][0]
        key = [b"improvementSuggestion", b"ratingReason", b"htmlProbe"][i // len(surveys)]
        f.write(b'{"timestamp":"2026-10-27T12:30:00Z","name":"CallSurvey","customDimensions":'
                b'{"id":"%s","%s":"%s","bad\\u0007key":"v%d"}}\n' % (sid, key, a, i))
# rejected records: invalid UTF-8 and control bytes in their raw text
with open("in/bad.jsonl", "wb") as f:
    f.write(b'{"TimeGenerated":"2026-10-27T10:00:00Z","SurveyId":"rej-\xff-\\u001b","OverallRatingScore":9}\n')
    f.write(b'{"TimeGenerated":"2026-10-27T10:00:00Z","SurveyId":"cut-\x1b[2J\xc3\n')
