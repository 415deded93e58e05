"""Submissions: create, score, requeue and rescore; their files; the fair queue."""
