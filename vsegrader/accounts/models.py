"""API tokens: several per user, each with a name, stored hashed by django-rest-knox.

knox's AuthToken holds the digest, the first characters of the key (to look it up), the
owner, the creation time and an optional expiry; `TokenLabel` adds the name the user gave
it ("laptop", "GPU box") and a short number to revoke it by.
"""

from django.db import models


class TokenLabel(models.Model):
    token = models.OneToOneField("knox.AuthToken", on_delete=models.CASCADE, related_name="label")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
