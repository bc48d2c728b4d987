from django.contrib import admin, messages
from django.db.models import Count
from django.urls import path, reverse

from claims.auth_tokens import api_token_check_owner, api_token_issue
from claims.models import (
    ApiToken,
    Article,
    AuditEvent,
    Claim,
    ImportJob,
    Reliability,
    Source,
    SourceAlias,
    VerificationStatus,
)
from claims.services import audit_record, source_grade_record
from claims.views.export import export_selected_claimreview, export_selected_csv
from claims.views.imports import admin_article_import, admin_article_import_preview

admin.site.site_header = "Verifier administration"
admin.site.site_title = "Verifier"


class ReadOnlyAdminMixin:
    """For records that are history: viewable, never edited or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SourceAliasInline(admin.TabularInline):
    model = SourceAlias
    extra = 1
    fields = ["name", "normalized"]
    readonly_fields = ["normalized"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "reliability", "affiliation", "claim_count", "needs_review"]
    list_filter = ["kind", "reliability", "needs_review"]
    search_fields = ["name", "aliases__name"]
    autocomplete_fields = ["affiliation"]
    inlines = [SourceAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("affiliation").annotate(n_claims=Count("claims"))

    @admin.display(description="claims", ordering="n_claims")
    def claim_count(self, obj):
        return obj.n_claims

    def save_model(self, request, obj, form, change):
        # Grade changes made here are audit events like those made on the source page.
        before = Source.objects.filter(pk=obj.pk).values_list("reliability", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if change and before is not None:
            source_grade_record(source=obj, actor=request.user, before=before, after=obj.reliability, via="admin")
        elif not change and obj.reliability != Reliability.F:
            source_grade_record(source=obj, actor=request.user, before="", after=obj.reliability, via="admin")


class ClaimInline(admin.TabularInline):
    model = Claim
    extra = 0
    fields = ["text", "source", "via", "hedged", "status", "version"]
    readonly_fields = ["text", "status", "version"]
    autocomplete_fields = ["source"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # claims come from the extractor or the reader's "Add claim", with offsets


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_at", "language", "truncated", "claim_count", "created_at"]
    list_filter = ["language", "truncated", "publisher__kind", "created_at"]
    search_fields = ["title", "url"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["publisher"]
    readonly_fields = [
        "content_hash",
        "url_key",
        "import_job",
        "truncated",
        "created_at",
        "updated_at",
        "original_text",
    ]
    list_select_related = ["publisher"]
    inlines = [ClaimInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_claims=Count("claims"))

    @admin.display(description="claims", ordering="n_claims")
    def claim_count(self, obj):
        return obj.n_claims

    def get_readonly_fields(self, request, obj=None):
        # The body is what claims point into: editing it would break their offsets.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["body"] if obj else fields

    # "Import articles" (linked from templates/admin/claims/article/change_list.html).
    change_list_template = "admin/claims/article/change_list.html"

    def get_urls(self):
        def import_view(request):
            return admin_article_import(request, self)

        def preview_view(request, pk):
            return admin_article_import_preview(request, self, pk)

        view = self.admin_site.admin_view(import_view)
        preview = self.admin_site.admin_view(preview_view)
        return [
            path("import/", view, name="claims_article_import"),
            path("import/<int:pk>/", preview, name="claims_article_import_preview"),
            *super().get_urls(),
        ]


class DecisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VerificationStatus
    extra = 0
    fields = ["created_at", "status", "version", "analyst", "note", "evidence_url"]
    readonly_fields = fields
    ordering = ["-version"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["short_text", "source", "article", "status", "hedged", "version", "assignee"]
    list_filter = ["status", "hedged", "source__kind", "article__language"]
    search_fields = ["text", "source__name", "article__title"]
    list_select_related = ["source", "article", "assignee"]
    autocomplete_fields = ["source", "assignee"]
    raw_id_fields = ["article"]
    # Status and version change only through claim_decide (the triage pages, the API).
    readonly_fields = ["status", "version", "start", "end", "text", "created_by", "created_at", "updated_at"]
    inlines = [DecisionInline]
    actions = [export_selected_csv, export_selected_claimreview]

    @admin.display(description="claim")
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(VerificationStatus)
class VerificationStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["claim", "status", "version", "analyst", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["claim__text", "note", "analyst__username"]
    list_select_related = ["claim", "analyst"]
    actions = None  # no bulk actions (delete_selected) on history


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_by", "state", "total", "imported", "duplicates", "failed", "created_at"]
    list_filter = ["state", "dry_run"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def view_on_site(self, obj):
        # The job page: live progress, errors, and "Resume import" for a stopped job.
        return reverse("claims:import_job", kwargs={"pk": obj.pk})


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]
    autocomplete_fields = ["user"]

    def get_autocomplete_fields(self, request):
        # Only a superuser may pick whose token it is; anyone else makes tokens for themselves.
        return super().get_autocomplete_fields(request) if request.user.is_superuser else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model._default_manager.filter(pk=request.user.pk)
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A token never changes hands: revoke it (delete) and make a new one instead.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj else fields

    def save_model(self, request, obj, form, change):
        if not change:
            api_token_check_owner(actor=request.user, user=obj.user)  # the form allows only this; belt and braces
        raw = None if change else api_token_issue(token=obj)
        super().save_model(request, obj, form, change)
        if raw:
            audit_record(
                actor=request.user, action="api_token_create", obj=obj, details={"user": obj.user_id, "via": "admin"}
            )
            self.message_user(
                request,
                f"API token for {obj.user}: {raw}  Copy it now: it is shown only this once and cannot be "
                "recovered (only its hash is stored). Use it as the header 'Authorization: Bearer <token>'.",
                messages.WARNING,
            )
