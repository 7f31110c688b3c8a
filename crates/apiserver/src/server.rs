//! Serving clusters over loopback TLS: one listener on 127.0.0.1 per cluster, one shared
//! per-run CA, and the kubeconfig naming them all (one context each).

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use kubedrill_sim::Sim;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::cluster::Cluster;
use crate::kubeconfig::Context;
use crate::nodeports::NodePorts;
use crate::tls::{Pki, TlsError, random_token};

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
}

/// One served cluster.
#[derive(Debug)]
pub struct Served {
    pub cluster: Arc<Cluster>,
    pub addr: SocketAddr,
    /// The NodePort listeners on the nodes' loopback addresses, when turned on
    /// (`Server::serve_node_ports`).
    pub node_ports: Option<NodePorts>,
    accept: tokio::task::JoinHandle<()>,
    ticker: tokio::task::JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.accept.abort();
        self.ticker.abort();
    }
}

/// Several simulated clusters behind one CA.
pub struct Server {
    pki: Pki,
    tls: TlsAcceptor,
    clusters: Vec<Served>,
    node_ports: bool,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("clusters", &self.clusters)
            .finish_non_exhaustive()
    }
}

impl Server {
    pub fn new() -> Result<Server, ServeError> {
        let pki = Pki::generate()?;
        let tls = TlsAcceptor::from(pki.server_config()?);
        Ok(Server {
            pki,
            tls,
            clusters: Vec::new(),
            node_ports: false,
        })
    }

    /// Also listen on each node's NodePorts at its loopback address (`nodeports`) for the
    /// clusters added from now on. Off by default, so tests and several servers on one
    /// machine do not compete for the same addresses and ports.
    pub fn serve_node_ports(&mut self, on: bool) {
        self.node_ports = on;
    }

    /// Serve `sim` as cluster `name` on 127.0.0.1:`port` (0: a free port) with a new token.
    /// Its time-driven work runs on the wall clock the sim was built with.
    pub async fn add(&mut self, name: &str, sim: Sim, port: u16) -> Result<&Served, ServeError> {
        let token = random_token()?;
        let cluster = Cluster::with_token(name, sim, token);
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| ServeError::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { port, source })?;
        let accept = tokio::spawn(accept_loop(listener, self.tls.clone(), cluster.clone()));
        let ticker = cluster.spawn_ticker();
        let node_ports = self
            .node_ports
            .then(|| NodePorts::spawn(cluster.clone(), self.clusters.len()));
        self.clusters.push(Served {
            cluster,
            addr,
            node_ports,
            accept,
            ticker,
        });
        let last = self.clusters.len() - 1;
        Ok(&self.clusters[last])
    }

    /// Stop serving every cluster (their listeners and tickers end).
    pub fn clear(&mut self) {
        self.clusters.clear();
    }

    pub fn clusters(&self) -> &[Served] {
        &self.clusters
    }

    pub fn ca_pem(&self) -> &str {
        &self.pki.ca_pem
    }

    /// The kubeconfig contexts of every served cluster.
    pub fn contexts(&self) -> Vec<Context> {
        self.clusters
            .iter()
            .map(|s| Context {
                name: s.cluster.name().to_string(),
                server: format!("https://{}", s.addr),
                ca_pem: self.pki.ca_pem.clone(),
                token: s.cluster.token().unwrap_or_default().to_string(),
            })
            .collect()
    }
}

async fn accept_loop(listener: TcpListener, tls: TlsAcceptor, cluster: Arc<Cluster>) {
    let app = crate::router::router(cluster);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let tls = tls.clone();
        let svc = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let Ok(stream) = tls.accept(tcp).await else {
                return;
            };
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(stream), svc)
                .await;
        });
    }
}
