from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "qa.reviews"
    label = "reviews"
    verbose_name = "Quality assurance"
