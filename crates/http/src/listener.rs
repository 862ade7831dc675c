//! Serving an app on a listener: what `actix_web::HttpServer::listen` does,
//! with each accepted stream wrapped in a [`Connection`] (a write timeout,
//! JSON protocol errors), which `HttpServer` has no hook for.

use std::fmt;
use std::net::TcpListener;
use std::time::Duration;

use actix_http::{HttpService, KeepAlive, Protocol, Request, Response};
use actix_service::{
    fn_service, map_config, IntoServiceFactory, ServiceFactory, ServiceFactoryExt,
};
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, Server, Service};
use actix_web::rt::net::TcpStream;

use crate::connection::Connection;

/// How connections are served.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Serving {
    pub(crate) workers: usize,
    pub(crate) shutdown_grace: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) request_head_timeout: Duration,
}

/// Starts serving `factory`'s app on `listener`; SIGINT and SIGTERM stop the
/// server gracefully (no new connection; in-flight requests get
/// `shutdown_grace`; idle keep-alive connections are closed at once).
pub(crate) fn run<F, I, S, B>(
    listener: TcpListener,
    serving: Serving,
    factory: F,
) -> std::io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    <S::Service as Service<Request>>::Future: 'static,
    S::Service: 'static,
    B: MessageBody + 'static,
{
    let addr = listener.local_addr()?;
    let builder = actix_server::Server::build();
    let shutdown = builder.graceful_shutdown_signal();
    let Serving {
        write_timeout,
        request_head_timeout,
        ..
    } = serving;
    let server = builder
        .workers(serving.workers.max(1))
        .shutdown_timeout(serving.shutdown_grace.as_secs())
        .listen("otas-http", listener, move || {
            let shutdown = shutdown.clone();
            let app = factory()
                .into_factory()
                .map_err(|err| err.into().error_response());
            // actix-web's defaults for keep-alive (5 s) and closing (1 s).
            let http = HttpService::build()
                .graceful_shutdown_signal(move || {
                    let signal = shutdown.clone();
                    async move { signal.notified().await }
                })
                .keep_alive(KeepAlive::default())
                .client_request_timeout(request_head_timeout)
                .client_disconnect_timeout(Duration::from_secs(1))
                .local_addr(addr)
                .finish(map_config(app, |()| AppConfig::default()));
            fn_service(move |stream: TcpStream| {
                // Small answers go out at once rather than after Nagle's delay.
                let _ = stream.set_nodelay(true);
                let peer = stream.peer_addr().ok();
                let connection = Connection::new(stream, write_timeout);
                std::future::ready(Ok((connection, Protocol::Http1, peer)))
            })
            .and_then(http)
        })?
        .run();
    Ok(server)
}
