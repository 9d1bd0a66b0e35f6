//! One AMQP 0-9-1 connection with one confirm-mode channel, read and written by whichever
//! task holds it: the frames come from amq-protocol (lapin's own codec), the socket is a
//! tokio `TcpStream` on the caller's runtime. Only what a confirmed publisher needs:
//! the handshake (PLAIN), publishing, heartbeats, and closing.

use std::io;
use std::time::{Duration, Instant};

use amq_protocol::frame::{AMQPContentHeader, AMQPFrame, WriteContext, gen_frame, parse_frame};
use amq_protocol::protocol::{AMQPClass, BasicProperties, basic, channel, confirm, connection};
use amq_protocol::types::{AMQPValue, FieldTable, LongString, ShortString};
use amq_protocol::uri::{AMQPScheme, AMQPUri};
use bytes::{Buf, BufMut, BytesMut};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::OutgoingMessage;

/// The channel every publish goes on.
pub(super) const CHANNEL: u16 = 1;

/// The largest frame we ask for (RabbitMQ's default): a larger body is sent in pieces.
const FRAME_MAX: u32 = 128 * 1024;

/// The longest heartbeat interval we agree to; RabbitMQ proposes 60 s.
const HEARTBEAT_MAX: u16 = 60;

/// A content body frame's type and end marker (AMQP 0-9-1 §4.2.3).
const FRAME_BODY: u8 = 3;
const FRAME_END: u8 = 0xCE;

/// Why a link could not be made or broke. Never holds the URL or its password.
#[derive(Debug, thiserror::Error)]
pub(super) enum LinkError {
    #[error("the AMQP URL is not valid")]
    BadUrl,
    #[error("amqps is not supported")]
    Tls,
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("the broker closed the connection: {0}")]
    Closed(String),
    #[error("the broker sent what AMQP does not allow here: {0}")]
    Protocol(String),
}

/// Where a link connects: the broker URL (it holds the password) and the name the
/// connection shows in RabbitMQ's management.
#[derive(Clone)]
pub(crate) struct Target {
    pub url: SecretString,
    pub name: String,
}

pub(super) struct Link {
    pub reader: Reader,
    pub writer: Writer,
    /// The agreed interval; `None` when the broker wants none.
    heartbeat: Option<Duration>,
}

/// The socket's reading half and what it read that is not a whole frame yet.
pub(super) struct Reader {
    half: OwnedReadHalf,
    input: BytesMut,
    frame_max: usize,
    last_read: Instant,
}

/// The socket's writing half and the frames queued for it, from `written` on.
pub(super) struct Writer {
    half: OwnedWriteHalf,
    output: Vec<u8>,
    written: usize,
    frame_max: usize,
    last_write: Instant,
}

fn method(channel: u16, class: AMQPClass) -> AMQPFrame {
    AMQPFrame::Method(channel, class)
}

impl Link {
    /// Connects, logs in and opens the confirm-mode channel.
    pub async fn open(target: &Target) -> Result<Self, LinkError> {
        let uri: AMQPUri = target
            .url
            .expose_secret()
            .parse()
            .map_err(|_| LinkError::BadUrl)?;
        if uri.scheme == AMQPScheme::AMQPS {
            return Err(LinkError::Tls);
        }
        let stream = TcpStream::connect((uri.authority.host.as_str(), uri.authority.port)).await?;
        // Confirms and answers are small and waited for: no Nagle delay on them.
        stream.set_nodelay(true)?;
        let now = Instant::now();
        let (read, write) = stream.into_split();
        let mut link = Self {
            reader: Reader {
                half: read,
                input: BytesMut::with_capacity(16 * 1024),
                frame_max: FRAME_MAX as usize,
                last_read: now,
            },
            writer: Writer {
                half: write,
                output: Vec::with_capacity(64 * 1024),
                written: 0,
                frame_max: FRAME_MAX as usize,
                last_write: now,
            },
            heartbeat: None,
        };
        link.writer.output.put_slice(b"AMQP\x00\x00\x09\x01");
        link.flush().await?;
        match link.read_frame().await? {
            AMQPFrame::Method(0, AMQPClass::Connection(connection::AMQPMethod::Start(_))) => {}
            other => return Err(unexpected(&other)),
        }
        link.push(&method(
            0,
            AMQPClass::Connection(connection::AMQPMethod::StartOk(connection::StartOk {
                client_properties: client_properties(&target.name),
                mechanism: "PLAIN".into(),
                response: plain_response(&uri),
                locale: "en_US".into(),
            })),
        ))?;
        link.flush().await?;
        let tune = match link.read_frame().await? {
            AMQPFrame::Method(0, AMQPClass::Connection(connection::AMQPMethod::Tune(tune))) => tune,
            other => return Err(unexpected(&other)),
        };
        // AMQP's smallest frame_max is 4096: a body frame always has room.
        let frame_max = match tune.frame_max {
            0 => FRAME_MAX,
            max => max.clamp(4096, FRAME_MAX),
        };
        // The URL's `heartbeat` (as lapin reads it for every other connection) over the
        // broker's proposal; 0 turns them off.
        let heartbeat = uri
            .query
            .heartbeat
            .unwrap_or(tune.heartbeat)
            .min(HEARTBEAT_MAX);
        link.reader.frame_max = frame_max as usize;
        link.writer.frame_max = frame_max as usize;
        link.heartbeat = (heartbeat > 0).then(|| Duration::from_secs(heartbeat.into()));
        link.push(&method(
            0,
            AMQPClass::Connection(connection::AMQPMethod::TuneOk(connection::TuneOk {
                channel_max: tune.channel_max,
                frame_max,
                heartbeat,
            })),
        ))?;
        link.push(&method(
            0,
            AMQPClass::Connection(connection::AMQPMethod::Open(connection::Open {
                virtual_host: uri.vhost.as_str().into(),
            })),
        ))?;
        link.flush().await?;
        match link.read_frame().await? {
            AMQPFrame::Method(0, AMQPClass::Connection(connection::AMQPMethod::OpenOk(_))) => {}
            other => return Err(unexpected(&other)),
        }
        link.open_channel()?;
        link.flush().await?;
        for _ in 0..2 {
            match link.read_frame().await? {
                AMQPFrame::Method(
                    CHANNEL,
                    AMQPClass::Channel(channel::AMQPMethod::OpenOk(_))
                    | AMQPClass::Confirm(confirm::AMQPMethod::SelectOk(_)),
                ) => {}
                other => return Err(unexpected(&other)),
            }
        }
        Ok(link)
    }

    /// Queues the opening of the publishing channel in confirm mode. Publishes queued
    /// after it are in confirm mode: the broker handles a channel's frames in order.
    pub fn open_channel(&mut self) -> Result<(), LinkError> {
        self.push(&method(
            CHANNEL,
            AMQPClass::Channel(channel::AMQPMethod::Open(channel::Open {})),
        ))?;
        self.push(&method(
            CHANNEL,
            AMQPClass::Confirm(confirm::AMQPMethod::Select(confirm::Select {
                nowait: false,
            })),
        ))
    }

    pub fn push(&mut self, frame: &AMQPFrame) -> Result<(), LinkError> {
        self.writer.push(frame)
    }

    pub fn has_output(&self) -> bool {
        self.writer.has_output()
    }

    async fn flush(&mut self) -> io::Result<()> {
        self.writer.flush().await
    }

    pub fn next_frame(&mut self) -> Result<Option<AMQPFrame>, LinkError> {
        self.reader.next_frame()
    }

    async fn read_frame(&mut self) -> Result<AMQPFrame, LinkError> {
        loop {
            match self.next_frame()? {
                // A broker may send a heartbeat at any time.
                Some(AMQPFrame::Heartbeat) => {}
                Some(AMQPFrame::Method(
                    0,
                    AMQPClass::Connection(connection::AMQPMethod::Close(close)),
                )) => return Err(LinkError::Closed(close.reply_text.to_string())),
                Some(frame) => return Ok(frame),
                None => self.reader.read_some().await?,
            }
        }
    }

    /// How often [`Self::keep_alive`] should be called: twice per heartbeat interval,
    /// at least once a second.
    pub fn tick_period(&self) -> Duration {
        self.heartbeat.map_or(Duration::from_secs(1), |interval| {
            (interval / 2).min(Duration::from_secs(1))
        })
    }

    /// Heartbeats: queues one when nothing was written for half the interval; an error
    /// when nothing was read for two intervals (the broker is gone without a word).
    pub fn keep_alive(&mut self, now: Instant) -> Result<(), LinkError> {
        let Some(interval) = self.heartbeat else {
            return Ok(());
        };
        if now.duration_since(self.reader.last_read) > 2 * interval {
            return Err(LinkError::Closed(format!(
                "nothing heard for {} s",
                (2 * interval).as_secs()
            )));
        }
        if !self.has_output() && now.duration_since(self.writer.last_write) > interval / 2 {
            self.push(&AMQPFrame::Heartbeat)?;
        }
        Ok(())
    }

    /// Closes the connection politely, waiting a moment for the broker's answer.
    pub async fn close(mut self) {
        let closing = async {
            self.push(&method(
                0,
                AMQPClass::Connection(connection::AMQPMethod::Close(connection::Close {
                    reply_code: 200,
                    reply_text: "shutting down".into(),
                    class_id: 0,
                    method_id: 0,
                })),
            ))?;
            self.flush().await?;
            loop {
                if let AMQPFrame::Method(
                    0,
                    AMQPClass::Connection(connection::AMQPMethod::CloseOk(_)),
                ) = self.read_frame().await?
                {
                    return Ok::<(), LinkError>(());
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), closing).await;
    }
}

impl Writer {
    /// Queues `message` (mandatory, with `properties`) for the next write.
    pub fn publish(
        &mut self,
        message: &OutgoingMessage,
        properties: BasicProperties,
    ) -> Result<(), LinkError> {
        self.push(&method(
            CHANNEL,
            AMQPClass::Basic(basic::AMQPMethod::Publish(basic::Publish {
                exchange: message.exchange.as_str().into(),
                routing_key: message.routing_key.as_str().into(),
                mandatory: true,
                immediate: false,
            })),
        ))?;
        self.push(&AMQPFrame::Header(
            CHANNEL,
            AMQPContentHeader {
                class_id: 60,
                body_size: message.body.len() as u64,
                properties,
            },
        ))?;
        // The body goes straight into the output, without a copy into a frame first. A
        // body frame carries frame_max less its 8 bytes of type, channel, size and end.
        for part in message.body.chunks(self.frame_max - 8) {
            self.output.reserve(part.len() + 8);
            self.output.put_u8(FRAME_BODY);
            self.output.put_u16(CHANNEL);
            self.output.put_u32(part.len() as u32);
            self.output.put_slice(part);
            self.output.put_u8(FRAME_END);
        }
        Ok(())
    }

    /// Queues a frame for the next write.
    pub fn push(&mut self, frame: &AMQPFrame) -> Result<(), LinkError> {
        let output = std::mem::take(&mut self.output);
        let context = gen_frame(frame)(WriteContext::from(output))
            .map_err(|e| LinkError::Protocol(format!("cannot encode a frame: {e}")))?;
        self.output = context.write;
        Ok(())
    }

    /// Whether frames wait to be written.
    pub fn has_output(&self) -> bool {
        self.written < self.output.len()
    }

    /// Writes what the socket takes now of the queued frames. Cancel-safe: a write that
    /// did not complete wrote nothing.
    pub async fn write_some(&mut self) -> io::Result<()> {
        let n = self.half.write(&self.output[self.written..]).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        self.written += n;
        if self.written == self.output.len() {
            self.output.clear();
            self.written = 0;
        }
        self.last_write = Instant::now();
        Ok(())
    }

    /// Writes every queued frame.
    pub async fn flush(&mut self) -> io::Result<()> {
        while self.has_output() {
            self.write_some().await?;
        }
        Ok(())
    }
}

impl Reader {
    /// Reads what arrived. Cancel-safe: nothing read is lost.
    pub async fn read_some(&mut self) -> Result<(), LinkError> {
        if self.input.len() > self.frame_max + 8 {
            // A whole frame would have parsed by now: this one is larger than agreed.
            return Err(LinkError::Protocol("a frame larger than frame_max".into()));
        }
        if self.half.read_buf(&mut self.input).await? == 0 {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
        }
        self.last_read = Instant::now();
        Ok(())
    }

    /// The next whole frame read, if one is.
    pub fn next_frame(&mut self) -> Result<Option<AMQPFrame>, LinkError> {
        match parse_frame(&self.input[..]) {
            Ok((rest, frame)) => {
                let used = self.input.len() - rest.len();
                self.input.advance(used);
                Ok(Some(frame))
            }
            Err(e) if e.is_incomplete() => Ok(None),
            Err(e) => Err(LinkError::Protocol(format!("an unreadable frame: {e}"))),
        }
    }
}

fn unexpected(frame: &AMQPFrame) -> LinkError {
    LinkError::Protocol(describe(frame))
}

/// A frame named by its kind and method, never its contents.
pub(super) fn describe(frame: &AMQPFrame) -> String {
    match frame {
        AMQPFrame::Method(channel, class) => format!(
            "method {}.{} on channel {channel}",
            class.get_amqp_class_id(),
            class.get_amqp_method_id()
        ),
        AMQPFrame::Header(channel, _) => format!("a content header on channel {channel}"),
        AMQPFrame::Body(channel, _) => format!("a content body on channel {channel}"),
        AMQPFrame::ProtocolHeader(_) => "a protocol header".into(),
        AMQPFrame::Heartbeat | AMQPFrame::InvalidHeartbeat(_) => "a heartbeat".into(),
    }
}

/// SASL PLAIN: `\0user\0password`. Only ever written to the socket.
fn plain_response(uri: &AMQPUri) -> LongString {
    let user = &uri.authority.userinfo;
    let mut response = Vec::with_capacity(2 + user.username.len() + user.password.len());
    response.push(0);
    response.extend_from_slice(user.username.as_bytes());
    response.push(0);
    response.extend_from_slice(user.password.as_bytes());
    LongString::from(response)
}

fn client_properties(name: &str) -> FieldTable {
    let mut capabilities = FieldTable::default();
    for capability in [
        "publisher_confirms",
        "basic.nack",
        "connection.blocked",
        // A refused login is told with connection.close, not a silent hang-up.
        "authentication_failure_close",
    ] {
        capabilities.insert(ShortString::from(capability), AMQPValue::Boolean(true));
    }
    let mut properties = FieldTable::default();
    properties.insert("product".into(), AMQPValue::LongString("navsync".into()));
    properties.insert("capabilities".into(), AMQPValue::FieldTable(capabilities));
    properties.insert("connection_name".into(), AMQPValue::LongString(name.into()));
    properties
}
