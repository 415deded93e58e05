"""A tour of every page of the site in Chromium, as a visitor, a student and an instructor,
on a laptop (1366×900) and a phone (390×844). Each page is saved as a full-page screenshot,
`$VSEGRADER_ARTEFACTS/tour/<viewport>/<role>/<page>.png`, and the tour fails on a page wider
than the window, a console error, a failed request, a 5xx, or an axe-core violation rated
serious or critical. It reports every problem of the run at once, grouped by page (also in
tour/report.txt). The pages come from the URL conf (tests/tour.py): a new page is visited,
or the tour fails until it is listed in SKIP with a reason."""

import os
import shutil

import pytest
from django.urls import reverse

pytest.register_assert_rewrite("tests.browser", "tests.tour")
from tests import browser, tour, tour_world  # noqa: E402

pytest_plugins = ("tests.browser",)


@pytest.fixture
def world(db, tmp_path):
    return tour_world.build_world(tmp_path)


# --- the plan, without a browser -------------------------------------------------------------


def test_a_route_is_filled_with_the_values_of_its_arguments():
    route = "challenges/<slug:slug>/insights/students/<int:id>/"
    url = tour.fill_route(route, {"slug": "pets", "id": "7"})
    assert url == "/challenges/pets/insights/students/7/"
    assert tour.fill_route("", {}) == "/"


def test_a_route_the_tour_cannot_fill_says_where_to_teach_it():
    with pytest.raises(tour.UnfillableRoute, match=r"fill pk in 'things/<int:pk>/'.*FILL_RULES"):
        tour.fill_route("things/<int:pk>/", {"slug": "x"})


def test_each_argument_takes_the_first_rule_that_matches_the_route():
    class Demo:
        open_slug, revealed_slug, submission_pk, group_pk = "open", "revealed", 3, 9

    assert tour.route_values("challenges/<slug:slug>/insights/", Demo) == {"slug": "revealed"}
    assert tour.route_values("challenges/<slug:slug>/data/", Demo) == {"slug": "open"}
    assert tour.route_values("projects/groups/<int:pk>/", Demo) == {"pk": "9"}


def answer(status: int = 200, content_type: str = "text/html", body: bytes = b"", chain=()):
    from django.http import HttpResponse

    response = HttpResponse(body, status=status, content_type=content_type)
    response.redirect_chain = [(target, 302) for target in chain]
    return response


def test_only_an_html_answer_of_its_own_url_is_a_page_the_tour_opens():
    assert tour.answer_kind(answer(body=b"<html>"), "/deadlines/") == "page"
    assert tour.answer_kind(answer(chain=["/accounts/login/?next=/x/"]), "/x/") == "login"
    assert tour.answer_kind(answer(chain=["/elsewhere/"]), "/x/") == "redirect /elsewhere/"
    assert tour.answer_kind(answer(403), "/grades/") == "403"
    assert tour.answer_kind(answer(content_type="text/csv"), "/g.csv") == "not a page: text/csv"
    reset = answer(chain=["/accounts/reset/MQ/set-password/"])
    assert tour.answer_kind(reset, "/accounts/reset/MQ/t/", redirecting=True) == "page"


def test_a_skipped_pattern_must_answer_as_its_kind_says():
    assert tour.skip_problem("x", "post", answer(405)) is None
    assert tour.skip_problem("x", "fragment", answer(body=b"<table></table>")) is None
    assert tour.skip_problem("x", "download", answer(content_type="text/csv")) is None
    page = answer(body=b"<!doctype html><html><body>a page</body></html>")
    for kind in ("post", "fragment", "download"):
        assert "visit it or correct SKIP" in tour.skip_problem("x", kind, page)


def test_the_report_names_each_problem_once_per_page_with_where_it_was_seen():
    problems = [
        tour.Problem("deadlines", "/deadlines/", "390x844 student", "wider than the window"),
        tour.Problem("deadlines", "/deadlines/", "390x844 instructor", "wider than the window"),
        tour.Problem("api-docs", "/api/docs/", "1366x900 student", "axe serious x"),
    ]
    assert tour.format_report(problems).splitlines() == [
        "api-docs (/api/docs/)",
        "  [1366x900 student] axe serious x",
        "deadlines (/deadlines/)",
        "  [390x844 student, 390x844 instructor] wider than the window",
    ]


def test_every_page_pattern_is_visited_by_a_role_or_skipped_for_a_checked_reason(
    world, monkeypatch
):
    clients = tour_world.role_clients()
    stops, problems = tour.plan_tour(world, clients)
    assert problems == [], "\n".join(problems)
    keys = {role: {stop.key for stop in role_stops} for role, role_stops in stops.items()}
    assert {"login", "password_reset_confirm", "not-found"} <= keys["anonymous"]
    assert {"home", "challenge-insights", "project-mine", "forbidden"} <= keys["student"]
    assert {"grades", "project-group", "admin-index", "api-docs"} <= keys["instructor"]
    assert "grades" not in keys["student"] and "login" not in keys["student"]

    forgotten = {key: why for key, why in tour.SKIP.items() if key not in {"favicon", "logout"}}
    monkeypatch.setattr(tour, "SKIP", {**forgotten, "challenge-detail": ("fragment", "wrong")})
    _stops, problems = tour.plan_tour(world, clients)
    assert sorted(problem.split(" (")[0].split(",")[0] for problem in problems) == [
        "SKIP lists challenge-detail as a fragment",
        "favicon",
        "logout",
    ], problems


# --- the tour ---------------------------------------------------------------------------------


@browser.needs_chromium
@pytest.mark.django_db(transaction=True)
def test_every_page_fits_its_window_and_passes_axe_for_every_role(live_server, world):
    pytest.importorskip("playwright.sync_api")
    clients = tour_world.role_clients()
    stops, plan_problems = tour.plan_tour(world, clients)  # before Chromium: it queries
    sessions = tour_world.session_keys(clients)
    folder = browser.artefacts_dir() / "tour"
    shutil.rmtree(folder, ignore_errors=True)
    problems = [tour.Problem("the plan", "", "URL conf", text) for text in plan_problems]
    with tour.chromium() as chromium:
        for viewport in tour.VIEWPORTS:
            for role in tour.ROLES:
                page = tour.role_page(chromium, live_server.url, viewport, sessions[role])
                problems += walk(page, live_server.url, stops[role], folder, viewport, role)
                page.context.close()
    report = tour.format_report(problems)
    (folder / "report.txt").write_text(report + "\n", encoding="utf-8")
    visits = sum(len(role_stops) for role_stops in stops.values()) * len(tour.VIEWPORTS)
    assert len(list(folder.rglob("*.png"))) == visits
    assert problems == [], f"{len(problems)} problems (also in {folder}/report.txt):\n{report}"


def walk(page, base_url: str, stops, folder, viewport: str, role: str) -> list[tour.Problem]:
    problems = []
    for stop in stops:
        shot = folder / viewport / role / f"{stop.key}.png"
        try:
            texts = tour.visit(page, base_url, stop, shot)
        except Exception as error:  # noqa: BLE001 - one broken page must not hide the others
            texts = [f"the visit failed: {type(error).__name__}: {error}".splitlines()[0]]
        problems += [tour.Problem(stop.key, stop.url, f"{viewport} {role}", t) for t in texts]
    return problems


# --- the README's pictures --------------------------------------------------------------------

# (file, role, URL name, which challenge, query): the four tabs of the challenge page, the
# private board as an instructor sees it before the reveal, and the gradebook.
README_SHOTS = (
    ("challenge-overview", "student", "challenge-detail", "open_slug", ""),
    ("challenge-data", "student", "challenge-data", "open_slug", ""),
    ("challenge-submissions", "student", "challenge-submissions", "open_slug", ""),
    ("challenge-leaderboard", "student", "challenge-leaderboard", "open_slug", ""),
    ("leaderboard-private", "instructor", "challenge-leaderboard", "open_slug", "?split=private"),
    ("gradebook", "instructor", "grades", None, ""),
)


def readme_folder():
    """VSEGRADER_SCREENSHOTS=docs/screenshots writes the README's pictures (relative to the
    repository); without it they are test artefacts, so a test run changes no tracked file:
    VSEGRADER_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/test_browser_tour.py -k readme
    """
    chosen = os.environ.get("VSEGRADER_SCREENSHOTS")
    return browser.ROOT / chosen if chosen else browser.artefacts_dir() / "readme-screenshots"


@browser.needs_chromium
@pytest.mark.django_db(transaction=True)
def test_readme_screenshots_show_the_challenge_tabs_the_boards_and_the_gradebook(
    live_server, world
):
    pytest.importorskip("playwright.sync_api")
    sessions = tour_world.session_keys(tour_world.role_clients())
    urls = {
        name: reverse(url_name, kwargs={"slug": getattr(world, slug)} if slug else None) + query
        for name, _role, url_name, slug, query in README_SHOTS
    }
    folder = readme_folder()
    folder.mkdir(parents=True, exist_ok=True)
    with tour.chromium() as chromium:
        pages = {
            role: tour.role_page(chromium, live_server.url, "1366x900", sessions[role])
            for role in ("student", "instructor")
        }
        for name, role, *_where in README_SHOTS:
            page = pages[role]
            assert page.goto(live_server.url + urls[name]).status == 200, urls[name]
            tour.settle(page)
            page.screenshot(path=str(folder / f"{name}.png"))  # the window: what one sees first
            browser.assert_real_png(folder / f"{name}.png", min_width=1366)
        problems = [problem for page in pages.values() for problem in page.watch.problems]
    assert problems == [], "the browser saw problems:\n" + "\n".join(problems)
