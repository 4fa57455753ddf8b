//! The thank-you the customer sees at once (DESIGN §2 rule 2): warm for every
//! answer, and it names the next step — who will call and within what time
//! when someone will, otherwise what the team does with the answer.

use crate::Tier;

/// "15 minutes", "1 hour", "4 hours", "90 minutes".
pub fn human_minutes(minutes: u32) -> String {
    match minutes {
        1 => "1 minute".to_owned(),
        60 => "1 hour".to_owned(),
        m if m % 60 == 0 => format!("{} hours", m / 60),
        m => format!("{m} minutes"),
    }
}

/// The acknowledgement text for a stored response.
///
/// `reachable` says whether the customer left an email or phone number, so
/// the text never promises a call nobody can make. `ack_minutes` is the
/// tier's acknowledge deadline from the site's SLA.
pub fn next_step(tier: Tier, reachable: bool, ack_minutes: Option<u32>) -> String {
    let within = ack_minutes.map_or_else(|| "a working day".to_owned(), human_minutes);
    // Who acts next, and whether that is one person or several (for the verb).
    let (who, plural) = match tier {
        Tier::None => {
            return "Thank you for telling us where we fell short. Every answer is read by \
                    our team, and the most common gaps go to the top of our list of fixes."
                .to_owned();
        }
        Tier::Service => ("Our service manager", false),
        Tier::Account => ("Your account manager and our service manager", true),
        Tier::Senior => ("Our senior management", false),
        Tier::President => ("Our president", false),
    };
    let thanks = if tier == Tier::Service {
        "Thank you."
    } else {
        "Thank you for being honest with us — this is exactly what we need to hear."
    };
    if reachable {
        format!("{thanks} {who} will call you back within {within}.")
    } else {
        let has = if plural { "have" } else { "has" };
        format!("{thanks} {who} {has} been told and will act on it within {within}.")
    }
}

/// The thank-you when a callback request joins the contact's open case
/// (rule 6): no second case, but the customer still hears who will call and
/// by when. `minutes_left` is the open case's time to its acknowledge
/// deadline (`None` or `0` once it has passed).
pub fn added_to_open_case(case_tier: Tier, minutes_left: Option<u32>) -> String {
    let who = match case_tier {
        Tier::None | Tier::Service => "Our service manager",
        Tier::Account => "Your account manager",
        Tier::Senior => "Our senior management",
        Tier::President => "Our president",
    };
    let when = match minutes_left {
        Some(m) if m > 0 => format!("within {}", human_minutes(m)),
        _ => "very soon".to_owned(),
    };
    format!(
        "Thank you — we have added this to the request you already have open with us, \
         so nothing gets lost. {who} will call you back {when}."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_minutes(15), "15 minutes");
        assert_eq!(human_minutes(60), "1 hour");
        assert_eq!(human_minutes(240), "4 hours");
        assert_eq!(human_minutes(90), "90 minutes");
    }

    #[test]
    fn callbacks_name_who_and_when() {
        assert_eq!(
            next_step(Tier::Service, true, Some(240)),
            "Thank you. Our service manager will call you back within 4 hours."
        );
        let president = next_step(Tier::President, true, Some(15));
        assert!(president.contains("Our president will call you back within 15 minutes"));
    }

    #[test]
    fn escalations_without_contact_promise_no_call() {
        let t = next_step(Tier::Account, false, Some(60));
        assert!(!t.contains("call"), "{t}");
        assert!(t.contains("have been told"), "{t}");
        assert!(next_step(Tier::Senior, false, Some(30)).contains("has been told"));
    }

    #[test]
    fn plain_answers_say_what_happens_with_them() {
        let t = next_step(Tier::None, false, None);
        assert!(t.starts_with("Thank you"));
        assert!(t.contains("list of fixes"));
    }

    #[test]
    fn a_joined_case_still_says_who_calls_and_when() {
        assert_eq!(
            added_to_open_case(Tier::Senior, Some(12)),
            "Thank you — we have added this to the request you already have open with us, \
             so nothing gets lost. Our senior management will call you back within 12 minutes."
        );
        assert!(added_to_open_case(Tier::Service, Some(0))
            .ends_with("Our service manager will call you back very soon."));
        assert!(added_to_open_case(Tier::President, None).contains("Our president"));
    }
}
