"""Create the Analysts and Viewers groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_source", "view_sourcealias", "view_article", "view_claim", "view_verificationstatus"]
ANALYST_EXTRA = ["add_claim", "change_claim", "add_verificationstatus"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(codenames):
        return list(Permission.objects.filter(content_type__app_label="claims", codename__in=codenames))

    viewers, _ = Group.objects.get_or_create(name="Viewers")
    viewers.permissions.set(perms(VIEW))
    analysts, _ = Group.objects.get_or_create(name="Analysts")
    analysts.permissions.set(perms(VIEW + ANALYST_EXTRA))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Analysts", "Viewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
