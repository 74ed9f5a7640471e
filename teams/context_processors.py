from teams.roles import Role, user_roles


def roles(request):
    """`roles` (set of role names) and `Role` for templates, e.g. to show the right menu."""
    user = getattr(request, "user", None)
    return {"roles": user_roles(user), "Role": Role}
