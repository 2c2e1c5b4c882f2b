from ..pages import page_and_twin
from . import alert_views, interview_views, views

urlpatterns = [
    *page_and_twin("programme/links/<int:link_id>/invitees/", views.invitees, "outreach-invitees"),
    *page_and_twin("programme/waves/<int:wave_id>/interviews/", interview_views.interviews, "outreach-interviews"),
    *page_and_twin("invite/<str:token>/", views.invite, "outreach-invite"),
    *page_and_twin("careers/alerts/new/", alert_views.new_alert, "outreach-alert-new"),
    *page_and_twin("careers/alerts/<str:token>/", alert_views.alert_page, "outreach-alert"),
    *page_and_twin("unsubscribe/<str:token>/", views.unsubscribe, "outreach-unsubscribe"),
]
