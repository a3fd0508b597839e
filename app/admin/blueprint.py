from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..nav import register_nav
from . import accounts, organisations, processes, purposes, users

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_url_rule("/organisations", "organisations", organisations.tree)
bp.add_url_rule("/organisations/<int:org_id>/edit", "rename_organisation", organisations.rename, methods=["GET", "POST"])
bp.add_url_rule("/organisations/<int:org_id>/children/new", "add_child", organisations.add_child, methods=["GET", "POST"])
bp.add_url_rule("/organisations/import", "import_organisations", organisations.import_csv, methods=["GET", "POST"])
bp.add_url_rule("/users", "users", users.index)
bp.add_url_rule("/users/new", "new_user", users.new, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>", "user", users.show, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>/active", "toggle_user", users.toggle_active, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/password", "reset_password", users.reset, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/roles/<int:assignment_id>/revoke", "revoke_role", users.revoke, methods=["POST"])
bp.add_url_rule("/purposes", "purposes", purposes.index)
bp.add_url_rule("/cities/<int:city_id>/purposes/new", "new_purpose", purposes.new, methods=["GET", "POST"])
bp.add_url_rule("/purposes/<int:purpose_id>/edit", "edit_purpose", purposes.edit, methods=["GET", "POST"])
bp.add_url_rule("/purposes/<int:purpose_id>/active", "toggle_purpose", purposes.toggle, methods=["POST"])
bp.add_url_rule("/accounts", "accounts", accounts.index)
bp.add_url_rule("/accounts/<int:account_id>/children/new", "add_account", accounts.add_child, methods=["GET", "POST"])
bp.add_url_rule("/accounts/<int:account_id>/edit", "rename_account", accounts.rename, methods=["GET", "POST"])
bp.add_url_rule("/accounts/<int:account_id>/active", "toggle_account", accounts.toggle, methods=["POST"])
bp.add_url_rule("/processes", "processes", processes.index)
bp.add_url_rule("/processes/<int:definition_id>", "process", processes.show)
bp.add_url_rule("/cities/<int:city_id>/processes/new", "new_process_version", processes.new_version,
                methods=["GET", "POST"])
bp.add_url_rule("/communities/<int:org_id>/workflow", "community_settings", processes.community_settings,
                methods=["GET", "POST"])

register_nav("admin.organisations", _l("Organisations"), "org.manage", order=80)
register_nav("admin.users", _l("Users"), "user.manage", order=81)
register_nav("admin.purposes", _l("Purpose lists"), "config.manage", order=82)
register_nav("admin.accounts", _l("Chart of accounts"), "config.manage", order=83)
register_nav("admin.processes", _l("Processes"), "config.manage", order=84)
