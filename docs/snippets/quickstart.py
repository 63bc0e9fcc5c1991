from vial import Vial, abort, redirect, render_template, request, url_for

app = Vial(__name__)

BOOKS = {1: {"id": 1, "title": "Dune", "author": "Frank Herbert"}}


@app.route("/")
def index():
    return redirect(url_for("hello", name="world"))


@app.route("/hello/<name>")
def hello(name):
    # templates/hello.html, autoescaped: a name like <b> is shown, not obeyed
    return render_template("hello.html", name=name)


@app.get("/books")
def list_books():
    # a dict or a list becomes a JSON response
    return list(BOOKS.values())


@app.get("/books/<int:book_id>")
def get_book(book_id):
    book = BOOKS.get(book_id)
    if book is None:
        abort(404)
    return book


@app.post("/books")
def add_book():
    data = request.get_json()
    if not isinstance(data, dict) or not data.get("title"):
        return {"error": "a title is required"}, 400
    book_id = max(BOOKS, default=0) + 1
    BOOKS[book_id] = {"id": book_id, "title": data["title"], "author": data.get("author")}
    return BOOKS[book_id], 201, {"Location": url_for("get_book", book_id=book_id)}


if __name__ == "__main__":
    app.run(debug=True)
