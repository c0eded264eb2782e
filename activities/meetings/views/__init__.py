"""Views of organisational life: meetings and attendance (``meetings``), QR check-in (``checkin``), compliance
(``compliance``)."""
