import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from vsegrader.course.roster import RosterError, parse_roster
from vsegrader.permissions import is_instructor

GOOD = (
    "username,email,first_name,last_name\n"
    "xnovj01,jan@vse.cz,Jan,Novák\n"
    "xsvop02,petra@vse.cz,Petra,Svobodová\n"
)


def test_it_reports_a_missing_column_on_line_one():
    with pytest.raises(RosterError) as error:
        parse_roster("username,email,first_name\nx,x@y.cz,X\n")
    assert error.value.errors == ["line 1: required column(s) missing: last_name"]


def test_it_reports_every_malformed_row_by_line():
    text = GOOD + ",nobody@vse.cz,No,Name\nxnovj01,again@vse.cz,J,N\nxbad03,not-an-email,B,A\n"
    with pytest.raises(RosterError) as error:
        parse_roster(text)
    assert error.value.errors == [
        "line 4: username is empty",
        "line 5: username 'xnovj01' repeats line 2",
        "line 6: 'not-an-email' is not an e-mail address",
    ]


def test_it_accepts_a_byte_order_mark_and_spaces_in_the_header():
    rows = parse_roster("\ufeffusername , email,first_name,last_name\nxa,a@vse.cz,A,B\n")
    assert rows == [{"username": "xa", "email": "a@vse.cz", "first_name": "A", "last_name": "B"}]


@pytest.mark.django_db
def test_importroster_creates_then_updates_students(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text(GOOD, encoding="utf-8")
    call_command("importroster", str(roster))
    assert "2 created, 0 updated, 0 unchanged." in capsys.readouterr().out
    user = get_user_model().objects.get(username="xnovj01")
    assert (user.email, user.last_name, is_instructor(user), user.is_active) == (
        "jan@vse.cz",
        "Novák",
        False,
        True,
    )
    assert user.has_usable_password()  # so that Django's password reset e-mail reaches them

    roster.write_text(GOOD.replace("jan@vse.cz", "jan.novak@vse.cz"), encoding="utf-8")
    call_command("importroster", str(roster))
    assert "0 created, 1 updated, 1 unchanged." in capsys.readouterr().out
    assert get_user_model().objects.get(username="xnovj01").email == "jan.novak@vse.cz"


@pytest.mark.django_db
def test_importroster_imports_nothing_when_one_row_is_bad(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(GOOD + "xbad,broken,B,A\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 4: 'broken' is not an e-mail address"):
        call_command("importroster", str(roster))
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_a_rostered_student_can_ask_for_a_password_reset(client, tmp_path, mailoutbox):
    roster = tmp_path / "roster.csv"
    roster.write_text(GOOD, encoding="utf-8")
    call_command("importroster", str(roster))
    response = client.post("/accounts/password_reset/", {"email": "petra@vse.cz"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["petra@vse.cz"]
    assert "/accounts/reset/" in mailoutbox[0].body
