"""Places an order through the client openapi-python-client generated from the
server's /api/v1/openapi.json (tests/e2e/generated_client.rs runs this).

Usage: place_order.py BASE_URL DIR   (DIR holds the generated package
`ordercore_client`). Prints the order read back as JSON on success; exits
non-zero with the answer on the first unexpected one.
"""

import base64
import datetime
import json
import sys

sys.path.insert(0, sys.argv[2])

from ordercore_client import Client  # noqa: E402
from ordercore_client.api.orders import orders_authorize_and_submit, orders_read  # noqa: E402
from ordercore_client.api.payment_methods import payment_methods_create  # noqa: E402
from ordercore_client.api.services import services_index  # noqa: E402
from ordercore_client.api.sessions import sessions_create  # noqa: E402
from ordercore_client.models import (  # noqa: E402
    OrderJson,
    OrdersAuthorizeAndSubmitBody,
    OrdersReadBody,
    ServicesIndexBody,
)
from ordercore_client.types import File  # noqa: E402


def sensitive(body):
    """A sensitive route's body: the base64 of the JSON object (text/plain)."""
    return File(payload=base64.b64encode(json.dumps(body).encode()))


def success(answer, what):
    """The typed success envelope, or exit with what came instead."""
    if answer is None or not type(answer).__name__.endswith("Response200"):
        shown = answer.to_dict() if hasattr(answer, "to_dict") else answer
        sys.exit(f"{what}: unexpected answer {shown!r}")
    return answer


client = Client(base_url=sys.argv[1], raise_on_unexpected_status=True)

login = success(
    sessions_create.sync(
        client=client,
        body=sensitive(
            {
                "email": "client@example.com",
                "password": "demo-password",
                "application": "planoorder",
            }
        ),
    ),
    "sessions/create",
)
token = login.data.token
assert isinstance(token, str) and token, login.to_dict()

card = success(
    payment_methods_create.sync(
        client=client,
        body=sensitive(
            {
                "token": token,
                "payment_method": {
                    "name_on_card": "Dana Client",
                    "card_number": "4111111111111111",
                    "cvc": "123",
                    "exp_month": 12,
                    "exp_year": datetime.date.today().year + 4,
                    "street": "1 Main St",
                    "city": "Denver",
                    "province_iso": "us_co",
                    "postal_code": "80202",
                },
            }
        ),
    ),
    "payment_methods/create",
)
assert isinstance(card.data.id, int), card.to_dict()

services = success(
    services_index.sync(client=client, body=ServicesIndexBody(token=token)),
    "services/index",
)
by_name = {s.name: s for s in services.data}
photos, floor_plan = by_name["Photos"], by_name["Floor plan"]
assert isinstance(photos.price_cents, int)

tomorrow = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)
starts = datetime.datetime.combine(tomorrow, datetime.time(10), datetime.timezone.utc)
body = OrdersAuthorizeAndSubmitBody.from_dict(
    {
        "token": token,
        "payment_method_id": card.data.id,
        "promotion_code": "WELCOME10",
        "order": {
            "primary_service": {"id": photos.id},
            "add_on_services": [{"id": floor_plan.id, "quantity": 1}],
            "property_info": {
                "address": {
                    "street": "1 Main St",
                    "city": "Denver",
                    "state": "CO",
                    "postal_code": "80202",
                }
            },
            "property_access": {
                "vacant": True,
                "method_of_access": "lockbox_code",
                "access_code": "4321",
                "lockbox_location": "front door",
            },
            "appointments": [
                {
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + datetime.timedelta(hours=2)).isoformat(),
                }
            ],
        },
    }
)
placed = success(
    orders_authorize_and_submit.sync(client=client, body=body),
    "orders/authorize_and_submit",
)
order = placed.data
assert isinstance(order, OrderJson), type(order)

read = success(
    orders_read.sync(client=client, body=OrdersReadBody(token=token, id=order.id)),
    "orders/read",
)
again = read.data
assert again.id == order.id and again.total_cents == order.total_cents, again.to_dict()
print(json.dumps(again.to_dict(), sort_keys=True))
