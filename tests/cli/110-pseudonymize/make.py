#!/usr/bin/env python3
"""Inputs for the privacy case beside sample-data: ids in mixed case with
spaces around them (the store trims and lower-cases), ids of other shapes,
a rejected record holding ids, custom answers with free text and numbers,
and an orphan event."""
import json, os

os.makedirs("in", exist_ok=True)
SID = "AB12CD34-0000-4000-8000-0000000000AA"
rec = lambda **k: json.dumps(dict({"TimeGenerated": "2026-10-27T10:00:00Z",
                                   "_ResourceId": "/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/"
                                                  "RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMMUNICATION/"
                                                  "COMMUNICATIONSERVICES/ACS-PRIVACY"}, **k))
with open("in/surveys.jsonl", "w") as f:
    f.write(rec(SurveyId="  " + SID + " ", CallId="CALL-HOSTILE-77",
                ParticipantId="8:acs:11111111-2222-3333-4444-555555555555_0000001a-bbbb-cccc-dddd-eeeeeeeeeeee",
                CorrelationId="corr-SHOULD-NOT-LEAK", OverallRatingScore=2,
                OverallCallIssues="HadToRejoin") + "\n")
    # the same survey, lower-cased, adds audio: merged into one survey
    f.write(rec(TimeGenerated="2026-10-27T10:05:00Z", SurveyId=SID.lower(),
                CallId="call-hostile-77", AudioRatingScore=1, AudioIssues="Echo") + "\n")
    # rejected (score 9 on the default scale): its raw text holds ids
    f.write(rec(SurveyId="REJECTED-SURVEY-0001", CallId="rejected-call-0001",
                ParticipantId="rejected-participant-0001", OverallRatingScore=9) + "\n")
with open("in/events.jsonl", "w") as f:
    for sid, dims in (
        (" " + SID.upper(), {"improvementSuggestion": "Secret text: call Bob at 555-0100",
                             "nps": "9", "rating_reason": "bad network"}),
        ("ORPHAN-EVENT-ID-0042", {"improvementSuggestion": "Orphan secret words here",
                                  "nps": "3"}),
    ):
        dims = dict({"id": sid}, **dims)
        f.write(json.dumps({"timestamp": "2026-10-27T10:06:00Z", "name": "CallSurvey",
                            "customDimensions": dims,
                            "customMeasurements": {"timeToSubmitMs": 1234}}) + "\n")
with open("texts.txt", "w") as f:
    f.write("Secret text: call Bob at 555-0100\nOrphan secret words here\nbad network\n")
