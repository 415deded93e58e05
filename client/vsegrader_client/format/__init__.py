"""The submission file check, shared by the server and the client: one implementation, one
set of messages.

`check.check_file` reads a CSV file with pyarrow and says, in Kaggle's words, what is wrong
with its header, its columns, its row count, its ids and its values. The server
(challenges/scoring) scores what it returns; the client (vsegrader_client.checks) runs it
before an upload when pyarrow is installed (`pip install vsegrader-client[fast]`), and
otherwise falls back to its pure-Python reader, which tests/test_hostile_files.py and
tests/test_cli_checks.py hold to the same messages.

Modules: errors (SubmissionInvalid, Problems), spec (Target), lines (line numbers in
messages), csvfile (reading the bytes), columns (typed values), ids (finding the test set's
rows), check (a whole file). errors and spec import neither pyarrow nor numpy, so that the
pure-Python fallback shares them; the others need both. Nothing here imports Django.
"""
