"""All models, imported so that Alembic and create_all see every table."""
from webapp.models.org import Organisation, User, Shop, ROLES, REGIONS  # noqa: F401
from webapp.models.audit import AuditLog  # noqa: F401
from webapp.models.setting import PolicySetting  # noqa: F401
from webapp.models.job import Job  # noqa: F401
from webapp.models.product import Product  # noqa: F401
from webapp.models.creator import Creator  # noqa: F401
from webapp.models.onboarding import *  # noqa: F401,F403
from webapp.models.creator_lists import *  # noqa: F401,F403
from webapp.models.campaign import *  # noqa: F401,F403
from webapp.models.invitation import *  # noqa: F401,F403
from webapp.models.document import *  # noqa: F401,F403
