"""The platforms customers write from besides the website (WhatsApp, Slack, Twilio): each module
translates the platform's webhook payloads to the core's messages and the core's messages to the
platform's, with the platform's own library. The gateway serves their webhooks."""
