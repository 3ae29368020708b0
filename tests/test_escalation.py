"""Which messages count as clearly angry (handed to a person at once) and which do not."""

import pytest

from bot.core.escalation import sounds_angry


@pytest.mark.parametrize(
    "text",
    [
        "WHERE IS MY ORDER I HAVE BEEN WAITING FOR THREE WEEKS",
        "This is ridiculous!! I want my money back",
        "you are useless, the worst shop ever",
        "what a scam, I'll get a lawyer",
        "this is fucking ridiculous",
        "your shitty service is a joke",
    ],
)
def test_clearly_angry(text):
    assert sounds_angry(text)


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order AP-10234?",
        "Do you sell the NEMO tent?",
        "thanks!! that helped a lot",
        "Is this the worst weather for camping?",
        "OK",
        "where's my damn refund?",
        "where the fuck is my package",
        "I need to cancel this fucking order",
    ],
)
def test_not_angry(text):
    assert not sounds_angry(text)


def test_swearing_right_after_the_assistant_failed_to_understand_is_angry():
    assert sounds_angry("where's my damn refund?", after_failed_answer=True)
    assert not sounds_angry("where's my refund?", after_failed_answer=True)
