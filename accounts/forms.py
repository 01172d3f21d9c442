"""Forms for user administration, one's own password and two-factor codes."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator, RegexValidator
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.roles import ADMIN, CLINICIAN, REVIEWER
from accounts.selectors import clinicians
from audit.services import Actor
from lib.text import refuse_invisible_characters

ROLE_CHOICES = [
    (CLINICIAN, "Clinician: find and register patients, record visits, see results"),
    (REVIEWER, "Reviewer: a clinician's pages plus the review queue"),
    (ADMIN, "Admin: everything, plus exports, analytics, users and the audit log"),
]


def _helper(submit: str, *layout: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the template's <form> carries the token
    helper.layout = Layout(*layout)
    helper.add_input(Submit("submit", submit))
    return helper


class ClinicianField(forms.ModelChoiceField):
    """A filter's clinician: everyone who may record visits, former staff included, by username."""

    def __init__(self, *, empty_label: str, **kwargs: Any) -> None:
        super().__init__(
            queryset=clinicians(),
            label="Clinician",
            required=False,
            empty_label=empty_label,
            error_messages={"invalid_choice": "Choose a clinician from the list."},
            **kwargs,
        )

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_username())


class UserSearchForm(forms.Form):
    """The users list's search box (GET): Django's CharField refuses NUL and other bytes the
    database cannot hold, so a hostile query gets a message, never a 500."""

    q = forms.CharField(max_length=100, required=False, strip=True)


class RoleField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=ROLE_CHOICES,
            widget=forms.RadioSelect,
            label="Role",
            error_messages={"invalid_choice": "Choose one of the three roles."},
            **kwargs,
        )


class SignInForm(auth_forms.AuthenticationForm):
    """Django's sign-in form, with the username's length checked on the server too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django sets only the widget's maxlength here; without a validator an overlong name
        # reaches django-axes, whose 255-character column then fails with a 500.
        self.fields["username"].validators.append(
            MaxLengthValidator(self.fields["username"].max_length)
        )


class UserCreateForm(auth_forms.UserCreationForm):
    """A new account: name, e-mail, role and a temporary password (Django's validators, 12+)."""

    role = RoleField()

    class Meta(auth_forms.UserCreationForm.Meta):
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "Temporary password"
        self.fields["password2"].label = "Temporary password again"
        self.fields["email"].required = True
        for name in ("first_name", "last_name"):
            self.fields[name].validators.append(refuse_invisible_characters)
        self.helper = _helper(
            "Create user",
            Fieldset("Who", "username", "first_name", "last_name", "email"),
            Fieldset("Access", "role"),
            Fieldset("Temporary password", "password1", "password2"),
        )


class RoleForm(forms.Form):
    """Change a user's role; an admin cannot give up their own admin role."""

    role = RoleField()

    def __init__(self, *args: Any, target: User, acting_user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.acting_user = acting_user
        self.helper = _helper("Save role", "role")

    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        if self.target.pk == self.acting_user.pk and role != ADMIN:
            raise forms.ValidationError(
                "You cannot remove your own admin role; ask another administrator to change it."
            )
        return role


class PasswordResetForm(auth_forms.SetPasswordForm):
    """An admin sets a temporary password for someone else (Django's validators, 12+)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Temporary password"
        self.fields["new_password2"].label = "Temporary password again"
        self.helper = _helper("Reset password", "new_password1", "new_password2")


class OwnPasswordForm(auth_forms.PasswordChangeForm):
    """A signed-in user replaces their password, e.g. the temporary one an admin set."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Change password", "old_password", "new_password1", "new_password2")


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator app, valid only when it is right for `device` now
    (a wrong code while signing in is audited as a failure, by otp.check_code)."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=6,
        min_length=6,
        strip=True,
        validators=[RegexValidator(r"^[0-9]{6}\Z", "Enter the 6 digits your app shows.")],
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": "[0-9]{6}",
            }
        ),
        error_messages={
            "required": "Enter the 6 digits your app shows.",
            "min_length": "Enter the 6 digits your app shows.",
            "max_length": "Enter the 6 digits your app shows.",
        },
    )

    def __init__(
        self,
        *args: Any,
        submit: str,
        user: Any,
        device: TOTPDevice,
        during_sign_in: bool,
        actor: Actor,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit, "code")
        self.check = {"user": user, "device": device, "during_sign_in": during_sign_in}
        self.actor = actor

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        error = otp.check_code(code=code, actor=self.actor, **self.check)
        if error is not None:
            raise forms.ValidationError(error)
        return code
