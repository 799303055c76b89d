//! Serves the router on every accepted connection: what `axum::serve` does
//! (HTTP/1.1, the client's address as `ConnectInfo`, graceful shutdown),
//! plus a deadline for a request's headers.
//!
//! hyper enforces that deadline only when it is given a timer, which
//! `axum::serve` does not do. Without it, a client that sends its headers a
//! byte at a time, or never finishes them, holds its connection (and with
//! enough such clients, the server's file descriptors) for as long as it
//! likes: the router's request timeout starts only once the headers are in.
//! The same deadline closes a kept-alive connection that stays idle that
//! long; browsers then open a new one.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// How long a client has to send a request's headers, and how long a
/// kept-alive connection may wait for its next request. hyper's own default
/// once it has a timer.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long shutting down waits for requests in flight to finish.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish (for at most [`DRAIN_TIMEOUT`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let connections = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener) => accepted,
            () = &mut shutdown => break,
        };
        let (tcp, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                wait_after_accept_error(error).await;
                continue;
            }
        };
        let service = router
            .clone()
            .map_request(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, connections.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
}

/// The next connection, set to send each response at once. With Nagle's
/// algorithm on, a response on a kept-alive connection (every browser keeps
/// one) waits for the client's delayed ACK: about 40 ms on every page and
/// call.
async fn accept(listener: &TcpListener) -> std::io::Result<(TcpStream, SocketAddr)> {
    let (tcp, remote) = listener.accept().await?;
    set_nodelay(&tcp);
    Ok((tcp, remote))
}

fn set_nodelay(tcp: &TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::warn!(%error, "could not set TCP_NODELAY on a connection");
    }
}

/// A connection that failed while being accepted is the client's business;
/// anything else (out of file descriptors) is logged and waited out, as
/// `axum::serve` does, instead of spinning.
async fn wait_after_accept_error(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "could not accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn server(header_read_timeout: Duration) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new().route(
            "/",
            get(|ConnectInfo(client): ConnectInfo<SocketAddr>| async move { client.to_string() }),
        );
        tokio::spawn(serve(
            listener,
            router,
            header_read_timeout,
            std::future::pending(),
        ));
        addr
    }

    /// Everything the server sends until it closes the connection. The
    /// outer timeout only stops a failing test from hanging: without the
    /// header deadline the server never closes.
    async fn read_until_closed(stream: &mut TcpStream) -> String {
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
            .await
            .expect("the server closed the connection")
            .unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// Catches the ~40 ms Nagle stall coming back: every connection the
    /// server accepts has TCP_NODELAY set.
    #[tokio::test]
    async fn accepted_connections_send_responses_without_waiting_for_acks() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let _client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (stream, _) = accept(&listener).await.unwrap();
        assert!(stream.nodelay().unwrap());
    }

    #[tokio::test]
    async fn a_client_that_never_finishes_its_headers_loses_the_connection() {
        let addr = server(Duration::from_millis(300)).await;
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: classkeys\r\n")
            .await
            .unwrap();
        assert_eq!(read_until_closed(&mut slow).await, "");
    }

    #[tokio::test]
    async fn a_whole_request_is_answered_with_the_clients_address() {
        let addr = server(Duration::from_millis(300)).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: classkeys\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let answer = read_until_closed(&mut client).await;
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        assert!(
            answer.ends_with(&client.local_addr().unwrap().to_string()),
            "{answer}"
        );
    }
}
