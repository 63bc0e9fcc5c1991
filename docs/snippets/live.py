import asyncio

from vial import Vial, request, stream_request_body, websocket
from vial.sse import ServerSentEvent, event_stream

app = Vial(__name__)


@app.while_serving
async def message_bus():
    # runs once per server process: before the yield at start-up,
    # after it at shut-down
    app.extensions["bus"] = asyncio.Queue()
    yield
    app.extensions.pop("bus")


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.post("/upload")
@stream_request_body
async def upload():
    # chunks arrive as the client sends them; nothing is buffered
    size = 0
    async for chunk in request.iter_body():
        size += len(chunk)
    return {"received": size}


@app.get("/report")
def report():
    # a sync view: under ASGI it runs in the worker thread pool
    return {"lines": len(request.args.getlist("line"))}


@app.websocket("/ws/echo")
async def echo():
    await websocket.accept()
    async for message in websocket:
        await websocket.send(f"echo: {message}")


@app.get("/clock")
async def clock():
    async def ticks():
        for n in range(3):
            yield ServerSentEvent(data=f"tick {n}", event="tick", id=str(n))
            await asyncio.sleep(0.01)

    return event_stream(ticks(), keep_alive=15)
