//! The page behind the "add more" link in a customer's thank-you mail: a
//! form (GET changes nothing: mail scanners open links), and what the POST
//! did. In the customer's language; no words of the answer and no contact
//! details appear, since a mail can be forwarded. The form's body is read by
//! `domain::ack::parse_more_form`.

use crate::html::Page;
use domain::lang::Lang;

struct Words {
    code: &'static str,
    dir: &'static str,
    title: &'static str,
    lead: &'static str,
    label: &'static str,
    send: &'static str,
    added: &'static str,
    added_lead: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            code: "en",
            dir: "ltr",
            title: "Add to your answer",
            lead: "What you write here joins your answer, and the people following it up read it.",
            label: "What would you like to add?",
            send: "Send",
            added: "Added. Thank you.",
            added_lead: "The people following up your answer have it now.",
        },
        Lang::De => Words {
            code: "de",
            dir: "ltr",
            title: "Ihre Antwort ergänzen",
            lead: "Was Sie hier schreiben, kommt zu Ihrer Antwort, und die Personen, die sich darum kümmern, lesen es.",
            label: "Was möchten Sie ergänzen?",
            send: "Senden",
            added: "Ergänzt. Vielen Dank.",
            added_lead: "Die Personen, die sich um Ihre Antwort kümmern, haben es jetzt.",
        },
        Lang::Ar => Words {
            code: "ar",
            dir: "rtl",
            title: "أضيفوا إلى إجابتكم",
            lead: "ما تكتبونه هنا يُضاف إلى إجابتكم، ويقرؤه الأشخاص الذين يتابعونها.",
            label: "ماذا تودّون أن تضيفوا؟",
            send: "إرسال",
            added: "تمت الإضافة. شكرًا لكم.",
            added_lead: "أصبحت إضافتكم لدى الأشخاص الذين يتابعون إجابتكم.",
        },
    }
}

/// GET `/more/{token}`: the form; it posts back to the same address.
pub fn form(lang: Lang) -> Page {
    let w = words(lang);
    Page {
        title: w.title.into(),
        body: format!(
            "<div lang=\"{}\" dir=\"{}\"><h1>{}</h1><p>{}</p>\
             <form method=\"post\"><label for=\"message\">{}</label>\
             <textarea id=\"message\" name=\"message\" required maxlength=\"4000\" rows=\"6\"></textarea>\
             <button type=\"submit\">{}</button></form></div>",
            w.code, w.dir, w.title, w.lead, w.label, w.send
        ),
    }
}

/// After the POST added the words to the case.
pub fn added(lang: Lang) -> Page {
    let w = words(lang);
    Page {
        title: w.added.into(),
        body: format!(
            "<div lang=\"{}\" dir=\"{}\"><h1>{}</h1><p>{}</p></div>",
            w.code, w.dir, w.added, w.added_lead
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_posts_back_and_speaks_the_customers_language() {
        let en = form(Lang::En).html();
        assert!(en.contains("<form method=\"post\">") && en.contains("name=\"message\""));
        let ar = form(Lang::Ar).html();
        assert!(ar.contains("dir=\"rtl\"") && ar.contains("lang=\"ar\""));
        insta::assert_snapshot!("more_form_de", form(Lang::De).html());
        assert!(added(Lang::De).html().contains("Ergänzt"));
    }
}
