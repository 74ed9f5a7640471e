from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from teams.roles import Role, user_roles
from teams.selectors import teams_of_user


@login_required
def home(request):
    """The start page: what this person's roles need first."""
    roles = user_roles(request.user)
    context = {
        "teams": teams_of_user(user=request.user),
        "is_staff_role": bool(
            roles & {Role.GENERALIST, Role.TEAM_LEAD, Role.CONSULTANT, Role.FUNCTIONAL_ADMIN}
        ),
    }
    return render(request, "home.html", context)
