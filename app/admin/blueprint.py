from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..nav import register_nav
from . import organisations, users

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_url_rule("/organisations", "organisations", organisations.tree)
bp.add_url_rule("/organisations/<int:org_id>/edit", "rename_organisation", organisations.rename, methods=["GET", "POST"])
bp.add_url_rule("/organisations/<int:org_id>/children/new", "add_child", organisations.add_child, methods=["GET", "POST"])
bp.add_url_rule("/organisations/import", "import_organisations", organisations.import_csv, methods=["GET", "POST"])
bp.add_url_rule("/users", "users", users.index)
bp.add_url_rule("/users/new", "new_user", users.new, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>", "user", users.show, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>/active", "toggle_user", users.toggle_active, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/roles/<int:assignment_id>/revoke", "revoke_role", users.revoke, methods=["POST"])

register_nav("admin.organisations", _l("Organisations"), "org.manage", order=80)
register_nav("admin.users", _l("Users"), "user.manage", order=81)
