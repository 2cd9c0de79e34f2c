from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("policies/", views.PolicyList.as_view(), name="policy-list"),
    path("policies/<str:policy_id>/", views.PolicyDetail.as_view(), name="policy-detail"),
    path("policies/<str:policy_id>/file/", views.PolicyFile.as_view(), name="policy-file"),
    path("policies/<str:policy_id>/history/", views.PolicyHistory.as_view(), name="policy-history"),
    path("policies/<str:policy_id>/reviews/", views.PolicyReviews.as_view(), name="policy-reviews"),
    path("policies/<str:policy_id>/approve/", views.Approve.as_view(), name="policy-approve"),
    path("policies/<str:policy_id>/request-changes/", views.RequestChanges.as_view(), name="policy-request-changes"),
    path("policies/<str:policy_id>/reject/", views.Reject.as_view(), name="policy-reject"),
    path("policies/<str:policy_id>/reopen/", views.Reopen.as_view(), name="policy-reopen"),
    path("policies/<str:policy_id>/withdraw/", views.Withdraw.as_view(), name="policy-withdraw"),
    path("policies/<str:policy_id>/resubmit/", views.Resubmit.as_view(), name="policy-resubmit"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # An HTML page only: OPTIONS would describe it in HTML, for which the page has no template (a 500).
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html", metadata_class=None
        ),
        name="docs",
    ),
    re_path(r"", views.NoSuchEndpoint.as_view(), name="no-such-endpoint"),
]
