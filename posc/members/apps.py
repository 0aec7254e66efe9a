from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "posc.members"
    label = "members"
    verbose_name = "Members and plans"
