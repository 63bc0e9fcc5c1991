from vial import Vial, request
from vial.views import MethodView

app = Vial(__name__)


class ItemAPI(MethodView):
    init_every_request = False

    def __init__(self, store):
        self.store = store

    def get(self, item_id):
        return self.store[item_id]

    def put(self, item_id):
        self.store[item_id] = request.get_json()
        return self.store[item_id]

    def delete(self, item_id):
        self.store.pop(item_id, None)
        return "", 204


class ItemListAPI(MethodView):
    init_every_request = False

    def __init__(self, store):
        self.store = store

    def get(self):
        return list(self.store.values())


def register_api(app, store):
    app.add_url_rule("/items/", view_func=ItemListAPI.as_view("items", store))
    app.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item", store))


register_api(app, {1: {"name": "first"}})
