from ..pages import page_and_twin
from . import interview_views, views

urlpatterns = [
    *page_and_twin("programme/links/<int:link_id>/invitees/", views.invitees, "outreach-invitees"),
    *page_and_twin("programme/waves/<int:wave_id>/interviews/", interview_views.interviews, "outreach-interviews"),
    *page_and_twin("invite/<str:token>/", views.invite, "outreach-invite"),
    *page_and_twin("unsubscribe/<str:token>/", views.unsubscribe, "outreach-unsubscribe"),
]
