"""The competition rules a write is checked against: quotas, deadlines and extensions,
final selection, moderation, display names."""
