"""`vsegrader c status`: where a student stands in one challenge: left today and when it
resets, failed files left, the deadline with its zone, best public score, rank, finals."""

from __future__ import annotations

from vsegrader_client.commands import open_api, slug_of
from vsegrader_client.errors import OK
from vsegrader_client.output import readable_time, show_record


def show_status(args) -> int:
    with open_api(args) as api:
        st = api.status(slug_of(args))
    if args.style != "table":
        show_record(STATUS_COLUMNS, status_row(st), args.style)
        return OK
    zone = st.get("time_zone") or ""
    print(f"{st.get('title') or st['challenge']} ({st['challenge']})")
    quota = st.get("quota")
    if quota:
        print(
            f"  left today: {quota['remaining_today']} of {quota['daily_limit']} "
            f"(resets {readable_time(quota.get('resets_at'))} {zone})"
        )
        if quota.get("total_limit") is not None:
            print(f"  left in total: {quota['remaining_total']} of {quota['total_limit']}")
        if quota.get("failed_daily_limit") is not None:
            print(
                f"  failed files left today: {quota['failed_remaining_today']} of "
                f"{quota['failed_daily_limit']} (a file that fails uses no submission)"
            )
    else:
        print("  left today: no limit (instructor)")
    print(
        f"  deadline: {readable_time(st.get('your_deadline'))} {zone}"
        f"{'' if st.get('is_open') else ' (closed)'}"
    )
    best = st.get("best_public_score")
    better = "higher" if st.get("higher_is_better") else "lower"
    print(
        f"  best public score: {'none yet' if best is None else f'{best:.6g}'} "
        f"({st.get('metric')}, {better} is better)"
    )
    rank = st.get("rank")
    print(f"  rank: {'-' if rank is None else rank} of {st.get('participants')}")
    finals = ", ".join(str(i) for i in st.get("finals") or []) or "none (best scores count)"
    print(f"  finals ({st.get('final_selections')} allowed): {finals}")
    return OK


STATUS_COLUMNS = [
    "ref",
    "title",
    "leftToday",
    "dailyLimit",
    "resetsAt",
    "leftInTotal",
    "totalLimit",
    "failedLeftToday",
    "failedDailyLimit",
    "deadline",
    "yourDeadline",
    "timeZone",
    "isOpen",
    "bestPublicScore",
    "metric",
    "higherIsBetter",
    "rank",
    "participants",
    "finals",
    "finalSelections",
]


def status_row(st: dict) -> dict:
    """`status` in the listings' form: flat, camelCase, Kaggle-style names."""
    quota = st.get("quota") or {}
    return {
        "ref": st.get("challenge"),
        "title": st.get("title"),
        "leftToday": quota.get("remaining_today"),
        "dailyLimit": quota.get("daily_limit"),
        "resetsAt": quota.get("resets_at"),
        "leftInTotal": quota.get("remaining_total"),
        "totalLimit": quota.get("total_limit"),
        "failedLeftToday": quota.get("failed_remaining_today"),
        "failedDailyLimit": quota.get("failed_daily_limit"),
        "deadline": st.get("deadline"),
        "yourDeadline": st.get("your_deadline"),
        "timeZone": st.get("time_zone"),
        "isOpen": st.get("is_open"),
        "bestPublicScore": st.get("best_public_score"),
        "metric": st.get("metric"),
        "higherIsBetter": st.get("higher_is_better"),
        "rank": st.get("rank"),
        "participants": st.get("participants"),
        "finals": list(st.get("finals") or []),
        "finalSelections": st.get("final_selections"),
    }
