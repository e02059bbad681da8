//! What the people told of a comment read under the notification's line (the notification mail
//! adds the link to the comment).

use askama::Template;

/// To those taking part in a thread: who commented on what, and the start of their words.
#[derive(Template)]
#[template(path = "mail/discussion/reply.txt")]
pub struct Replied<'a> {
    pub can_name: &'a str,
    pub author: &'a str,
    pub what: &'a str,
    pub excerpt: &'a str,
}

/// To someone a comment mentions by name.
#[derive(Template)]
#[template(path = "mail/discussion/mentioned.txt")]
pub struct Mentioned<'a> {
    pub can_name: &'a str,
    pub author: &'a str,
    pub what: &'a str,
    pub excerpt: &'a str,
}

/// To the author of a comment the organisers hid: why, and what it said.
#[derive(Template)]
#[template(path = "mail/discussion/hidden.txt")]
pub struct Hidden<'a> {
    pub can_name: &'a str,
    pub what: &'a str,
    pub reason: &'a str,
    pub excerpt: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_quotes_the_comment() {
        let m = Replied {
            can_name: "Riverside",
            author: "Mia",
            what: "the proposal “Quiet hours”",
            excerpt: "I can live with 10pm.",
        };
        assert_eq!(
            m.render().unwrap(), // ok: test fixture
            "Mia commented on the proposal “Quiet hours” in Riverside:\n\n\
             “I can live with 10pm.”\n\nRead the whole thread and answer on its page.\n"
        );
    }

    #[test]
    fn a_mention_says_who_and_where() {
        let m = Mentioned {
            can_name: "Riverside",
            author: "Mia",
            what: "Olu’s hope",
            excerpt: "@Olu yes!",
        };
        assert_eq!(
            m.render().unwrap(), // ok: test fixture
            "Mia mentioned you in a comment on Olu’s hope in Riverside:\n\n“@Olu yes!”\n\n\
             Read it, and answer if you like, on the thread's page.\n"
        );
    }

    #[test]
    fn a_hidden_comment_says_why() {
        let m = Hidden {
            can_name: "Riverside",
            what: "the meeting “March”",
            reason: "Name-calling breaks our rules.",
            excerpt: "You fool",
        };
        assert_eq!(
            m.render().unwrap(), // ok: test fixture
            "An organiser of Riverside hid your comment on the meeting “March”. Other members \
             no longer see it; you still do.\n\nWhy: Name-calling breaks our rules.\n\n\
             Your comment: “You fool”\n\nThe rules for participation are on the CAN's page. \
             If you think this is a mistake, talk to the organisers.\n"
        );
    }
}
