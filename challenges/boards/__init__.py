"""Boards: standings, leaderboards, the Ladder, ties, pseudonyms, exports and charts."""
