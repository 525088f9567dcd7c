from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .key_cache import forget_all
        from .models import APIKey

        user_model = get_user_model()
        # What a remembered key's verdict depends on: the key, its user, the user's groups
        # and permissions (access.key_cache).
        for model in (APIKey, user_model, Group, Permission):
            post_save.connect(forget_all, sender=model, dispatch_uid=f"access.forget.{model}")
            post_delete.connect(forget_all, sender=model, dispatch_uid=f"access.forget-d.{model}")
        for through in (
            user_model.groups.through,
            user_model.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(forget_all, sender=through, dispatch_uid=f"access.m2m.{through}")
