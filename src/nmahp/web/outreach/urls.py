from ..pages import page_and_twin
from . import views

urlpatterns = [
    *page_and_twin("programme/links/<int:link_id>/invitees/", views.invitees, "outreach-invitees"),
    *page_and_twin("invite/<str:token>/", views.invite, "outreach-invite"),
    *page_and_twin("unsubscribe/<str:token>/", views.unsubscribe, "outreach-unsubscribe"),
]
