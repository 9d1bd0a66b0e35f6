//! The publishes of one channel whose confirms are still to come, in delivery-tag order
//! (a confirm-mode channel numbers its publishes 1, 2, 3…), and what settles them: an ack
//! (confirmed, unless the message came back as unroutable first), a nack, or the channel
//! or connection going away.

use std::collections::{HashSet, VecDeque};
use std::time::Instant;

use tokio::sync::oneshot;

use crate::PublishError;
use crate::publisher::count_published;

pub(super) type Answer = oneshot::Sender<Result<(), PublishError>>;

struct Waiting {
    tag: u64,
    exchange: String,
    routing_key: String,
    sent: Instant,
    answer: Answer,
}

#[derive(Default)]
pub(super) struct Unconfirmed {
    /// The tag of the channel's last publish (0: none yet).
    last_tag: u64,
    waiting: VecDeque<Waiting>,
    /// Tags the broker returned as unroutable; their ack follows (AMQP sends
    /// `basic.return` before the `basic.ack` of the same message).
    returned: HashSet<u64>,
}

impl Unconfirmed {
    /// The tag the next publish gets.
    pub fn next_tag(&self) -> u64 {
        self.last_tag + 1
    }

    pub fn push(&mut self, exchange: String, routing_key: String, answer: Answer) {
        self.last_tag += 1;
        self.waiting.push_back(Waiting {
            tag: self.last_tag,
            exchange,
            routing_key,
            sent: Instant::now(),
            answer,
        });
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// When the oldest publish still waiting was sent.
    pub fn oldest(&self) -> Option<Instant> {
        self.waiting.front().map(|w| w.sent)
    }

    pub fn returned(&mut self, tag: u64) {
        self.returned.insert(tag);
    }

    /// `basic.ack` (`acked`) or `basic.nack` of `tag`, or of every tag up to it.
    pub fn settle(&mut self, tag: u64, multiple: bool, acked: bool) {
        if multiple {
            while self.waiting.front().is_some_and(|w| w.tag <= tag) {
                if let Some(waiting) = self.waiting.pop_front() {
                    self.answer(waiting, acked);
                }
            }
        } else if let Ok(i) = self.waiting.binary_search_by_key(&tag, |w| w.tag)
            && let Some(waiting) = self.waiting.remove(i)
        {
            self.answer(waiting, acked);
        }
    }

    fn answer(&mut self, waiting: Waiting, acked: bool) {
        let returned = self.returned.remove(&waiting.tag);
        let result = match (acked, returned) {
            (false, _) => Err(PublishError::Nacked),
            (true, true) => Err(PublishError::Unroutable {
                exchange: waiting.exchange.clone(),
                routing_key: waiting.routing_key,
            }),
            (true, false) => Ok(()),
        };
        count_published(&waiting.exchange, &result);
        // A caller that gave up (its timeout) no longer listens.
        let _ = waiting.answer.send(result);
    }

    /// The channel is gone: every waiting publish failed (the broker may have stored
    /// some; their callers retry, and the events' ids make a repeat harmless). The next
    /// channel numbers its publishes from 1 again.
    pub fn fail_all(&mut self, why: &str) {
        for waiting in self.waiting.drain(..) {
            let result = Err(PublishError::Unavailable(why.to_owned()));
            count_published(&waiting.exchange, &result);
            let _ = waiting.answer.send(result);
        }
        self.returned.clear();
        self.last_tag = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(unconfirmed: &mut Unconfirmed) -> oneshot::Receiver<Result<(), PublishError>> {
        let (answer, answered) = oneshot::channel();
        unconfirmed.push("ex".into(), "key".into(), answer);
        answered
    }

    fn outcome(rx: &mut oneshot::Receiver<Result<(), PublishError>>) -> Option<String> {
        rx.try_recv().ok().map(|r| match r {
            Ok(()) => "ok".to_owned(),
            Err(PublishError::Nacked) => "nacked".to_owned(),
            Err(PublishError::Unroutable { .. }) => "unroutable".to_owned(),
            Err(PublishError::Unavailable(why)) => format!("unavailable: {why}"),
        })
    }

    #[test]
    fn a_multiple_ack_settles_every_tag_up_to_it_and_no_further() {
        let mut u = Unconfirmed::default();
        let mut rx: Vec<_> = (0..4).map(|_| waiting(&mut u)).collect();
        u.settle(3, true, true);
        let got: Vec<_> = rx.iter_mut().map(outcome).collect();
        assert_eq!(
            got,
            [
                Some("ok".into()),
                Some("ok".into()),
                Some("ok".into()),
                None
            ]
        );
        assert_eq!(u.len(), 1);
        assert_eq!(u.next_tag(), 5);
    }

    #[test]
    fn a_single_ack_or_nack_settles_only_its_own_tag() {
        let mut u = Unconfirmed::default();
        let mut rx: Vec<_> = (0..3).map(|_| waiting(&mut u)).collect();
        u.settle(2, false, false);
        u.settle(3, false, true);
        let got: Vec<_> = rx.iter_mut().map(outcome).collect();
        assert_eq!(got, [None, Some("nacked".into()), Some("ok".into())]);
        // An ack for a tag already settled (or never sent) changes nothing.
        u.settle(3, false, true);
        u.settle(99, false, true);
        assert_eq!(outcome(&mut rx[0]), None);
    }

    #[test]
    fn a_returned_message_is_unroutable_when_its_ack_comes_and_only_it() {
        let mut u = Unconfirmed::default();
        let mut rx: Vec<_> = (0..3).map(|_| waiting(&mut u)).collect();
        u.returned(2);
        u.settle(3, true, true);
        let got: Vec<_> = rx.iter_mut().map(outcome).collect();
        assert_eq!(
            got,
            [
                Some("ok".into()),
                Some("unroutable".into()),
                Some("ok".into())
            ]
        );
    }

    #[test]
    fn a_lost_channel_fails_everything_waiting_and_numbering_starts_again() {
        let mut u = Unconfirmed::default();
        let mut rx: Vec<_> = (0..2).map(|_| waiting(&mut u)).collect();
        u.returned(1);
        u.fail_all("gone");
        let got: Vec<_> = rx.iter_mut().map(outcome).collect();
        assert_eq!(
            got,
            [
                Some("unavailable: gone".into()),
                Some("unavailable: gone".into())
            ]
        );
        assert!(u.is_empty());
        assert_eq!(u.next_tag(), 1);
        // The new channel's tag 1 is not the old channel's returned tag 1.
        let mut next = waiting(&mut u);
        u.settle(1, false, true);
        assert_eq!(outcome(&mut next), Some("ok".into()));
    }
}
