from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = "Challenges"

    def ready(self):
        from challenges.boards import ladders  # noqa: F401  (connects the board-mode guard)
