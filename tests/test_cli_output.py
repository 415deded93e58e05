"""The command line's output: tables, CSV safe for spreadsheets, the progress bar, and the
plain-Python fallback when pyarrow is missing."""

import csv
import io

from vsegrader_client.output import Progress, show

# --- output -------------------------------------------------------------------------------


def test_a_table_pads_columns_and_shortens_dates_naming_their_offset(capsys):
    rows = [{"ref": "fitting-1d", "deadline": "2023-03-15T17:00:00+01:00", "score": 0.123456789}]
    show(["ref", "deadline", "score"], rows)
    assert capsys.readouterr().out.splitlines() == [
        "ref         deadline                       score",
        "----------  -----------------------------  --------",
        "fitting-1d  2023-03-15 17:00:00 UTC+01:00  0.123457",
    ]
    show(["ref", "deadline"], rows, "json")
    assert '"deadline": "2023-03-15T17:00:00+01:00"' in capsys.readouterr().out
    show(["ref", "score"], rows, "csv")
    assert capsys.readouterr().out == "ref,score\nfitting-1d,0.123456789\n"


def test_csv_output_defuses_names_a_spreadsheet_would_run_but_keeps_numbers(capsys):
    rows = [
        {"teamName": '=HYPERLINK("http://x")', "score": -0.5},
        {"teamName": '  "@SUM(A1)', "score": 1.25},
        {"teamName": "plain -name", "score": None},
    ]
    show(["teamName", "score"], rows, "csv")
    read_back = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert read_back == [
        ["teamName", "score"],
        ['\'=HYPERLINK("http://x")', "-0.5"],
        ["'  \"@SUM(A1)", "1.25"],
        ["plain -name", ""],
    ]


def test_the_progress_bar_draws_on_a_terminal_only(capsys):
    import io

    drawn = io.StringIO()
    progress = Progress("Uploading s.csv", 4 * 1024 * 1024, stream=drawn, enabled=True)
    progress.update(2 * 1024 * 1024)
    progress.update(2 * 1024 * 1024)
    progress.close()
    assert drawn.getvalue().endswith(
        "Uploading s.csv [##############################] 100%  4.0 MB / 4.0 MB\n"
    )
    silent = io.StringIO()  # not a terminal: nothing drawn
    Progress("x", 10 * 1024 * 1024, stream=silent).update(10 * 1024 * 1024)
    assert silent.getvalue() == ""
